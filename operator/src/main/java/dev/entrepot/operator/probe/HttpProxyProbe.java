package dev.entrepot.operator.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * GET of the proxy's readiness endpoint through its Service: HTTP, or HTTPS trusting the proxy's own TLS
 * Secret, inside the cluster; no Kubernetes API call (so no RBAC), no credentials (readiness is open). The proxy answers 200 when ready and 503 when not, both with
 * the health report whose "entrepot" check carries configSha256, served, unserved and
 * configRejected.
 */
public final class HttpProxyProbe implements ProxyProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NETWORK_HINT =
            " (a NetworkPolicy between the operator and the proxy's port " + ProxyWorkloadRenderer.PORT + "?)";

    private final ProxyClients clients;
    private final Duration timeout;
    private final Function<ProxyEndpoint, URI> readiness;

    /** @param readiness the readiness URL of a namespace's proxy, normally {@link #serviceEndpoint} */
    public HttpProxyProbe(Duration timeout, Function<ProxyEndpoint, URI> readiness) {
        this.timeout = timeout;
        this.readiness = readiness;
        this.clients = new ProxyClients(timeout);
    }

    /** The readiness endpoint of the proxy Service, by its in-cluster DNS name. */
    public static URI serviceEndpoint(ProxyEndpoint endpoint) {
        return endpoint.base().resolve("/q/health/ready");
    }

    @Override
    public Report probe(ProxyEndpoint endpoint) {
        URI uri = readiness.apply(endpoint);
        try {
            HttpClient client = clients.client(endpoint);
            HttpRequest request = clients.request(ProxyEndpoint.plain(endpoint.namespace()), uri, "application/json")
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return read(uri, response.statusCode(), response.body());
        } catch (IllegalArgumentException e) {
            return Report.unreachable("cannot ask " + uri + ": the TLS Secret's " + e.getMessage());
        } catch (HttpTimeoutException e) {
            return Report.unreachable(uri + " did not answer within " + timeout.toMillis() + "ms" + NETWORK_HINT);
        } catch (IOException e) {
            if (unresolved(e)) {
                return Report.unreachable("cannot resolve " + uri.getHost()
                        + ": the operator runs outside the cluster, or without cluster DNS");
            }
            return Report.unreachable("cannot reach " + uri + ": " + e + (tlsRefused(e) ? "" : NETWORK_HINT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Report.unreachable("asking " + uri + " was interrupted");
        }
    }

    private static Report read(URI uri, int status, String body) {
        JsonNode root;
        try {
            root = status == 200 || status == 503 ? JSON.readTree(body) : null;
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.path("checks").isArray()) {
            return Report.unreachable(uri + " answered HTTP " + status + " without a health report");
        }
        JsonNode data = entrepotCheck(root).path("data");
        if (!data.path("configSha256").isTextual()) {
            return Report.outdated(uri + " does not report configSha256: the proxy image is older than the operator");
        }
        boolean up = "UP".equals(root.path("status").asText());
        String detail = uri + " answered " + status + (up ? "" : data.path("storeWritable").asBoolean(true)
                ? ", status DOWN" : ": its store is not writable");
        return Report.answered(up, data.path("configSha256").asText(), names(data.path("served")),
                names(data.path("unserved")), data.path("configRejected").isTextual()
                        ? data.path("configRejected").asText() : null, detail);
    }

    private static JsonNode entrepotCheck(JsonNode root) {
        for (JsonNode check : root.path("checks")) {
            if ("entrepot".equals(check.path("name").asText())) {
                return check;
            }
        }
        return root.path("checks").path(0);
    }

    private static Set<String> names(JsonNode commaSeparated) {
        return Arrays.stream(commaSeparated.asText("").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static boolean tlsRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
