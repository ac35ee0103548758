package dev.entrepot.operator.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP clients for the proxies' Services: one plain client, and one per namespace that serves TLS (its pinned
 * certificates; a new client when they change, as cert-manager renews them).
 */
final class ProxyClients {

    private record Pinned(String pem, HttpClient client) {
    }

    private final Duration timeout;
    private final HttpClient plain;
    private final Map<String, Pinned> pinned = new ConcurrentHashMap<>();

    ProxyClients(Duration timeout) {
        this.timeout = timeout;
        this.plain = builder().build();
    }

    /** @throws IllegalArgumentException when the endpoint's certificates cannot be read */
    HttpClient client(ProxyEndpoint endpoint) {
        if (!endpoint.https()) {
            return plain;
        }
        return pinned.compute(endpoint.namespace(), (ns, current) -> current != null
                && current.pem().equals(endpoint.trustedCertificates()) ? current
                : new Pinned(endpoint.trustedCertificates(),
                        builder().sslContext(PinnedTls.context(endpoint.trustedCertificates())).build())).client();
    }

    /** A GET of {@code uri} (normally on {@link ProxyEndpoint#base()}), with the endpoint's credentials. */
    HttpRequest.Builder request(ProxyEndpoint endpoint, URI uri, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", accept).header("User-Agent", "entrepot-operator");
        if (endpoint.username() != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (endpoint.username() + ":" + endpoint.password()).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private HttpClient.Builder builder() {
        return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    }
}
