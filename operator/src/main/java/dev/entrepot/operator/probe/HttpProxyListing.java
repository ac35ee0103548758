package dev.entrepot.operator.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * GET {@code /api/v1/repositories} of a proxy through its Service, as the operator user when the proxy is closed
 * (a reader of every repository, so every repository is listed), anonymously when it is open (then a repository
 * anonymous clients may not pull is not listed, and keeps no counts). The answer is
 * {@code {"repositories":[{"name","mode","images","versions","tags","bytes"}]}}.
 */
public final class HttpProxyListing implements ProxyListing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyClients clients;
    private final Function<ProxyEndpoint, URI> listing;

    /** @param listing the listing URL of a namespace's proxy, normally {@link #serviceEndpoint} */
    public HttpProxyListing(Duration timeout, Function<ProxyEndpoint, URI> listing) {
        this.clients = new ProxyClients(timeout);
        this.listing = listing;
    }

    public static URI serviceEndpoint(ProxyEndpoint endpoint) {
        return endpoint.base().resolve("/api/v1/repositories");
    }

    @Override
    public Listing list(ProxyEndpoint endpoint) {
        URI uri = listing.apply(endpoint);
        try {
            HttpResponse<String> response = clients.client(endpoint).send(
                    clients.request(endpoint, uri, "application/json").build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                return Listing.failed(uri + " refused " + (endpoint.username() == null ? "anonymous callers"
                        : "the operator user " + endpoint.username()) + " (HTTP " + response.statusCode() + ")");
            }
            if (response.statusCode() != 200) {
                return Listing.failed(uri + " answered HTTP " + response.statusCode());
            }
            return read(uri, response.body());
        } catch (IllegalArgumentException e) {
            return Listing.failed("cannot ask " + uri + ": the TLS Secret's " + e.getMessage());
        } catch (IOException e) {
            return Listing.failed("cannot reach " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Listing.failed("asking " + uri + " was interrupted");
        }
    }

    private static Listing read(URI uri, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return Listing.failed(uri + " answered something else than JSON");
        }
        if (root == null || !root.path("repositories").isArray()) {
            return Listing.failed(uri + " answered without a repositories list (a proxy older than the operator?)");
        }
        Map<String, Counts> counts = new HashMap<>();
        for (JsonNode r : root.path("repositories")) {
            if (r.path("name").isTextual()) {
                counts.put(r.path("name").asText(), new Counts(r.path("images").asLong(), r.path("versions").asLong(),
                        r.path("tags").asLong(), r.path("bytes").asLong()));
            }
        }
        return Listing.answered(counts);
    }
}
