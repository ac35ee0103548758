package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The push side of the distribution API over the JDK HTTP client: upload sessions (monolithic, chunked, streamed),
 * manifest pushes, deletes and the admin API's garbage collection, with optional HTTP Basic credentials.
 *
 * <p>Upload Locations are followed the way the conformance suite's client follows them: only path and query are
 * kept and sent to this client's base URL, and {@code digest=} is appended with {@code ?} or {@code &}. Bodyless
 * POST/PUT/PATCH go out with {@code Content-Length: 0}, as Go's net/http sends them.
 */
public final class PushClient {
    public static final String OCTET_STREAM = "application/octet-stream";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;
    private final String authorization;

    private PushClient(URI base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** Anonymous. */
    public static PushClient of(EntrepotProxy proxy) {
        return new PushClient(proxy.url(), null);
    }

    public static PushClient basic(EntrepotProxy proxy, String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new PushClient(proxy.url(), "Basic " + token);
    }

    // ---- upload sessions ---------------------------------------------------------------------------------------

    /** {@code POST /v2/<name>/blobs/uploads/[?query]} without a body. */
    public OciClient.Response post(String name, String query) {
        String path = "/v2/" + name + "/blobs/uploads/" + (query == null ? "" : "?" + query);
        return send("POST", path, Map.of(), BodyPublishers.noBody());
    }

    /** A new session; fails unless 202 with a Location. */
    public String startUpload(String name) {
        OciClient.Response response = post(name, null);
        assertThat(response.status()).as("POST uploads of %s: %s", name, response).isEqualTo(202);
        assertThat(response.header("Location")).as("Location of %s", response).isNotBlank();
        return response.header("Location");
    }

    /** Monolithic upload in the POST: {@code POST .../blobs/uploads/?digest=D} with the blob as body. */
    public OciClient.Response postBlob(String name, String digest, byte[] blob) {
        return send("POST", "/v2/" + name + "/blobs/uploads/?digest=" + digest, Map.of("Content-Type", OCTET_STREAM),
                BodyPublishers.ofByteArray(blob));
    }

    /** {@code PATCH <location>} with {@code Content-Range} when {@code contentRange} is not null. */
    public OciClient.Response patch(String location, byte[] chunk, String contentRange) {
        return send("PATCH", location, rangeHeaders(contentRange), BodyPublishers.ofByteArray(chunk));
    }

    /** A streamed PATCH of {@code length} bytes read from {@code body} (with Content-Length, no Content-Range). */
    public OciClient.Response patchStream(String location, Supplier<InputStream> body, long length, Duration timeout) {
        return patchStream(location, body, length, null, timeout);
    }

    /** A streamed PATCH of {@code length} bytes read from {@code body}, with Content-Length (and Content-Range if given). */
    public OciClient.Response patchStream(String location, Supplier<InputStream> body, long length, String contentRange,
                                          Duration timeout) {
        return send("PATCH", location, rangeHeaders(contentRange),
                BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(body), length), timeout);
    }

    /** Closes a session: {@code PUT <location>?digest=D}, with a final chunk when {@code body} is not null. */
    public OciClient.Response put(String location, String digest, byte[] body, String contentRange) {
        return send("PUT", withQuery(location, "digest=" + digest), rangeHeaders(contentRange),
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    }

    /** Closes a session with the whole (or the final part of the) blob streamed in the PUT. */
    public OciClient.Response putStream(String location, String digest, Supplier<InputStream> body, long length,
                                        String contentRange, Duration timeout) {
        return send("PUT", withQuery(location, "digest=" + digest), rangeHeaders(contentRange),
                BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(body), length), timeout);
    }

    /** {@code GET <location>}: the session's state (204 with Range). */
    public OciClient.Response status(String location) {
        return send("GET", location, Map.of(), null);
    }

    /** {@code DELETE <location>}: cancels the session. */
    public OciClient.Response cancel(String location) {
        return send("DELETE", location, Map.of(), null);
    }

    /** POST a session, PUT the whole blob with its digest; fails unless 201. Returns the digest. */
    public String pushBlob(String name, byte[] blob) {
        String digest = Digests.sha256(blob);
        OciClient.Response response = put(startUpload(name), digest, blob, null);
        assertThat(response.status()).as("PUT blob %s to %s: %s", digest, name, response).isEqualTo(201);
        return digest;
    }

    // ---- manifests, deletes, admin -------------------------------------------------------------------------------

    public OciClient.Response putManifest(String name, String reference, String contentType, byte[] body) {
        return send("PUT", "/v2/" + name + "/manifests/" + reference, Map.of("Content-Type", contentType),
                BodyPublishers.ofByteArray(body));
    }

    public OciClient.Response deleteManifest(String name, String reference) {
        return send("DELETE", "/v2/" + name + "/manifests/" + reference, Map.of(), null);
    }

    public OciClient.Response deleteBlob(String name, String digest) {
        return send("DELETE", "/v2/" + name + "/blobs/" + digest, Map.of(), null);
    }

    /** {@code POST /api/v1/gc[?dryRun=true]}: cleanup policies and a garbage collection now. */
    public OciClient.Response collectGarbage(boolean dryRun) {
        return send("POST", "/api/v1/gc" + (dryRun ? "?dryRun=true" : ""), Map.of(), BodyPublishers.noBody(),
                Duration.ofMinutes(2));
    }

    /** The report of a garbage collection that must succeed. */
    public JsonNode gc(boolean dryRun) {
        OciClient.Response response = collectGarbage(dryRun);
        assertThat(response.status()).as("POST /api/v1/gc: %s", response).isEqualTo(200);
        return json(response);
    }

    public static JsonNode json(OciClient.Response response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response, e);
        }
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    /** Any request; {@code body} null sends none. Locations and paths are both accepted (path and query are kept). */
    public OciClient.Response send(String method, String pathOrLocation, Map<String, String> headers, BodyPublisher body) {
        return send(method, pathOrLocation, headers, body, TIMEOUT);
    }

    public OciClient.Response send(String method, String pathOrLocation, Map<String, String> headers, BodyPublisher body,
                                   Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(relative(pathOrLocation))).timeout(timeout)
                .method(method, body == null ? BodyPublishers.noBody() : body);
        headers.forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new OciClient.Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathOrLocation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the conformance client keeps of a Location: path and {@code ?query}; scheme and host are dropped. */
    public static String relative(String location) {
        URI uri = URI.create(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    public static String withQuery(String location, String parameter) {
        String relative = relative(location);
        return relative + (relative.contains("?") ? "&" : "?") + parameter;
    }

    private static Map<String, String> rangeHeaders(String contentRange) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", OCTET_STREAM);
        if (contentRange != null) {
            headers.put("Content-Range", contentRange);
        }
        return headers;
    }
}
