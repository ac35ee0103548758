package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

/** Minimal OCI distribution client over the JDK HTTP client, for direct manifest and blob requests. */
public final class OciClient {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI base;

    public OciClient(URI base) {
        this.base = base;
    }

    public record Response(int status, HttpHeaders headers, byte[] body) {
        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + (body.length < 2000 ? text() : body.length + " bytes");
        }
    }

    /**
     * How a streamed body ended: status, bytes received, their sha256, and the I/O error if the
     * stream broke before its end (reset, truncated body).
     */
    public record Download(int status, String contentLength, long bytes, String sha256, IOException failure) {
        public boolean complete(String expectedDigest) {
            return status == 200 && failure == null && expectedDigest.equals(sha256);
        }
    }

    public Response get(String path, String accept) {
        return send("GET", path, accept, Duration.ofSeconds(30));
    }

    public Response head(String path, String accept) {
        return send("HEAD", path, accept, Duration.ofSeconds(30));
    }

    public Response send(String method, String path, String accept, Duration timeout) {
        return send(method, path, accept == null ? Map.of() : Map.of("Accept", accept), null, timeout);
    }

    /** Any request, with extra headers (e.g. {@code Range}) and an optional body (push attempts). */
    public Response send(String method, String path, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET with a {@code Range} header, e.g. {@code bytes=0-99}. */
    public Response range(String path, String range) {
        return send("GET", path, Map.of("Range", range), null, Duration.ofSeconds(30));
    }

    /** GET a manifest with every modern manifest type in {@code Accept}. */
    public Response manifest(String name, String reference) {
        return get("/v2/" + name + "/manifests/" + reference, ImageGenerator.ACCEPT_ALL_MANIFESTS);
    }

    /** Streams a blob through sha256 without keeping it; never throws for a broken stream. */
    public Download blob(String name, String digest, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/" + name + "/blobs/" + digest))
                .timeout(timeout).GET().build();
        int status = -1;
        String length = null;
        long bytes = 0;
        MessageDigest sha = Digests.newSha256();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            length = response.headers().firstValue("content-length").orElse(null);
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
            return new Download(status, length, bytes, Digests.hex(sha), null);
        } catch (IOException e) {
            return new Download(status, length, bytes, Digests.hex(sha), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
