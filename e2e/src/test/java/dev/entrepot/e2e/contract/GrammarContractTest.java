package dev.entrepot.e2e.contract;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import dev.entrepot.proxy.config.ByteSize;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.GoDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durations, sizes, notification endpoints and the S3 store have one grammar: what the CRDs let through is exactly
 * (for endpoint URLs and the S3 fields: a subset of) what the proxy parses.
 */
class GrammarContractTest {
    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "500ms", "30s", "5m", "720h", "1h30m", "1h1m1s1ms", "", "5", "2d", "1.5h", "5M",
            "1h 30m", " 30s", "-5m", "ms", "00", "0h"})
    void durations(String text) {
        assertThat(Pattern.matches(Patterns.DURATION, text)).as("CRD pattern vs proxy for '%s'", text)
                .isEqualTo(parses(() -> GoDuration.parse(text)));
        assertThat(Patterns.DURATION).isEqualTo(GoDuration.GRAMMAR);
    }

    private static EntrepotConfig endpoint(String name, String url, String events) {
        return ConfigLoader.parse("repositories:\n  - {name: team, mode: standard}\nnotifications:\n  endpoints:\n"
                + "    - {name: " + name + ", url: \"" + url + "\", events: [" + events + "]}\n");
    }

    /** What the CRD's url pattern lets through, the proxy's loader reads as it is. */
    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example/registry", "http://audit.tools.svc:8080",
            "http://10.0.0.7:8080/events?source=entrepot&x=%2F", "https://h.example/a/(b)/~c;d=e@f", "http://localhost/",
            "https://h.example?only=query"})
    void endpointUrlsTheSchemaAllows(String url) {
        assertThat(Pattern.matches(Patterns.ENDPOINT_URL, url)).as("the CRD pattern allows %s", url).isTrue();
        assertThat(endpoint("a-1", url, "insert").notifications().endpoints().get(0).url()).isEqualTo(URI.create(url));
    }

    /** URLs the proxy's loader refuses (java.net.URI reads no host in some, or cannot parse them): so does the schema. */
    @ParameterizedTest
    @ValueSource(strings = {"http://a.1b/", "http://999.1.1.1/", "http://x_y.example/", "https://h.example/a%zz",
            "ftp://h.example/", "https://h.example/a b"})
    void endpointUrlsTheProxyRefuses(String url) {
        assertThatThrownBy(() -> endpoint("a-1", url, "insert")).as("the proxy refuses %s", url)
                .isInstanceOf(ConfigException.class);
        assertThat(Pattern.matches(Patterns.ENDPOINT_URL, url)).as("the CRD pattern refuses %s", url).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ci-hook", "a", "0", "a-1-b", "", "-a", "a-", "A", "a_b", "a.b"})
    void endpointNames(String name) {
        assertThat(Pattern.matches(Patterns.ENDPOINT_NAME, name)).as("CRD pattern vs proxy for '%s'", name)
                .isEqualTo(parses(() -> {
                    try {
                        endpoint("\"" + name + "\"", "https://h.example/", "insert");
                    } catch (ConfigException e) {
                        throw new IllegalArgumentException(e);
                    }
                }));
    }

    /** Every event kind the CRD allows is one the proxy's loader knows, under the same name. */
    @Test
    void notificationEvents() {
        for (NotificationEvent event : NotificationEvent.values()) {
            assertThat(endpoint("a", "https://h.example/", event.configName()).notifications().endpoints().get(0)
                    .events()).extracting(Enum::name).containsExactly(event.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1048576", "1Ki", "512Mi", "50Gi", "2Ti", "1Pi", "1K", "10M", "10G", "3T", "1P", "",
            "Gi", "1k", "10GB", "1GiB", "100B", "50 Gi", " 50Gi", "1.5Gi", "-1", "10gi"})
    void sizes(String text) {
        assertThat(Pattern.matches(Patterns.SIZE, text)).as("CRD pattern vs proxy for '%s'", text)
                .isEqualTo(parses(() -> ByteSize.parse(text)));
        assertThat(Patterns.SIZE).isEqualTo(ByteSize.GRAMMAR);
    }

    private static boolean s3Parses(String field, String value) {
        try {
            ConfigLoader.parse("storage:\n  type: s3\n  s3:\n    bucket: " + (field.equals("bucket") ? "\"" + value + "\""
                    : "entrepot") + "\n" + (field.equals("bucket") ? "" : "    " + field + ": \"" + value + "\"\n")
                    + "repositories:\n  - {name: team, mode: standard}\n");
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static boolean crdAllows(String pattern, int min, int max, String value) {
        return Pattern.matches(pattern, value) && value.length() >= min && value.length() <= max;
    }

    /** A bucket, endpoint or prefix the CRD lets through, the proxy takes (the CRD may be stricter). */
    @ParameterizedTest
    @ValueSource(strings = {"bucket|entrepot", "bucket|my.bucket-1", "bucket|abc", "bucket|ab", "bucket|Upper",
            "bucket|a..b", "bucket|-ab", "bucket|ab-", "bucket|a_b", "bucket|a-.bc",
            "bucket|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "bucket|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "endpoint|https://minio.storage.svc:9000", "endpoint|http://10.0.0.5:9000/", "endpoint|https://s3.example",
            "endpoint|ftp://s3.example", "endpoint|https://", "endpoint|minio:9000", "endpoint|http://x_y.example/",
            "prefix|cluster-a/", "prefix|teams/a", "prefix|a.b_c-d", "prefix|/x", "prefix|a//b", "prefix|a b"})
    void s3Fields(String fieldAndValue) {
        String field = fieldAndValue.substring(0, fieldAndValue.indexOf('|'));
        String value = fieldAndValue.substring(field.length() + 1);
        boolean crd = switch (field) {
            case "bucket" -> crdAllows(Patterns.S3_BUCKET, Limits.BUCKET_MIN, Limits.BUCKET, value);
            case "endpoint" -> crdAllows(Patterns.S3_ENDPOINT, 0, Limits.URL, value);
            default -> crdAllows(Patterns.S3_PREFIX, 0, Limits.KEY_PREFIX, value);
        };
        if (crd) {
            assertThat(s3Parses(field, value)).as("the CRD allows %s '%s': the proxy must take it", field, value).isTrue();
        }
    }
}
