package dev.entrepot.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The cause of a failed upstream exchange in words, not the exception's text (which often repeats the host). */
class UpstreamCauseTest {
    private static final Duration IDLE = Duration.ofSeconds(5);

    @Test
    void eachFailureSaysWhatHappened() {
        assertThat(HttpUpstreamClient.inWords(new UnknownHostException("registry-1.docker.io"), IDLE))
                .isEqualTo("DNS lookup failed (unknown host)");
        assertThat(HttpUpstreamClient.inWords(new ConnectException("Connection refused: /127.0.0.1:1"), IDLE))
                .isEqualTo("connection refused");
        assertThat(HttpUpstreamClient.inWords(new ConnectException("connection timed out: x/1.2.3.4:443"), IDLE))
                .isEqualTo("connect timed out");
        assertThat(HttpUpstreamClient.inWords(new TimeoutException("The timeout period of 5000ms has been exceeded"),
                IDLE)).isEqualTo("no answer within 5 s");
        assertThat(HttpUpstreamClient.inWords(new HttpClosedException("Connection was closed"), IDLE))
                .isEqualTo("the connection was closed before an answer");
        assertThat(HttpUpstreamClient.inWords(new RuntimeException("wrapped", new UnknownHostException("h")), IDLE))
                .isEqualTo("DNS lookup failed (unknown host)");
    }
}
