package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.entrepot.operator.probe.ProxyProbe.Outcome;
import dev.entrepot.operator.probe.ProxyProbe.Report;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy serving HTTPS is asked over HTTPS, trusting exactly the certificate of its TLS Secret: no CA and no host
 * name in it are needed (the certificate names localhost, the request goes to 127.0.0.1), and any other
 * certificate is refused with a message that says so.
 */
class PinnedTlsProbeTest {

    @TempDir
    static Path dir;

    private static TestCertificate served;
    private static TestCertificate other;
    private static HttpsServer server;

    @BeforeAll
    static void start() throws Exception {
        served = TestCertificate.create(dir, "localhost");
        other = TestCertificate.create(dir, "someone-else");
        String body = Files.readString(Path.of("src/test/resources/proxy-readiness/served.json"));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(served.serverContext));
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static Report ask(String pinned) {
        ProxyEndpoint endpoint = new ProxyEndpoint("team-a", pinned, null, null);
        return new HttpProxyProbe(Duration.ofSeconds(5), e -> URI.create("https://127.0.0.1:"
                + server.getAddress().getPort() + "/q/health/ready")).probe(endpoint);
    }

    @Test
    void theSecretsOwnCertificateIsTrusted() {
        Report report = ask(served.pem);

        assertThat(report.outcome()).as(report.detail()).isEqualTo(Outcome.ANSWERED);
        assertThat(report.served()).containsExactlyInAnyOrder("all", "hub", "team");
    }

    @Test
    void anyOtherCertificateIsRefusedAndSaysSo() {
        Report report = ask(other.pem);

        assertThat(report.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(report.detail()).contains("not in its TLS Secret");
    }

    @Test
    void aSecretWithoutACertificateIsNamed() {
        Report report = ask("");

        assertThat(report.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(report.detail()).contains("tls.crt");
    }

    @Test
    void theEndpointSpeaksHttpsAndKeepsThePasswordOutOfItsName() {
        ProxyEndpoint endpoint = new ProxyEndpoint("team-a", served.pem, "entrepot-operator", "s3cret");

        assertThat(endpoint.base()).hasToString("https://entrepot.team-a.svc:5000");
        assertThat(endpoint.toString()).doesNotContain("s3cret");
        assertThat(ProxyEndpoint.plain("team-a").base()).hasToString("http://entrepot.team-a.svc:5000");
    }
}
