package dev.entrepot.proxy.upstream;

import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * {@link UpstreamClient} over the Vert.x HTTP client: streams bodies, answers the token challenge, follows
 * redirects itself (dropping {@code Authorization} when the origin changes, as blob CDNs require), retries
 * connection failures a bounded number of times with backoff, and honours 429 {@code Retry-After} by not
 * calling the upstream again before it has passed.
 */
public final class HttpUpstreamClient implements UpstreamClient {
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_MANIFEST_BYTES = ManifestContent.MAX_BYTES;
    private static final int MAX_DRAIN_BYTES = 64 * 1024;
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(10);
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
    private static final String USER_AGENT = "entrepot/0.1";
    /**
     * Largest body piece the HTTP decoder hands over. Vert.x' default (8 KiB) cuts each 64 KiB socket read into eight
     * chunks, and every chunk costs a copy, a disk-queue hand-off and a progress step; above the read size, a chunk
     * is whatever one read brought.
     */
    static final int MAX_CHUNK_SIZE = 256 * 1024;

    /** Timeouts and retry budget. */
    /**
     * {@code idleTimeout} bounds silences during blob transfers; {@code metadataTimeout} the same for manifests, tag
     * lists and HEADs, which should fail within seconds when the upstream goes silent.
     */
    public record Settings(Duration connectTimeout, Duration idleTimeout, Duration metadataTimeout, int connectRetries,
                           Duration retryBackoff) {
    }

    private final Vertx vertx;
    private final HttpClient http;
    private final String base;
    private final BearerChallengeAuthenticator auth;
    private final RepositoryMetrics metrics;
    private final UpstreamHealth health;
    private final Settings settings;
    private volatile long rateLimitedUntil;

    /** @param health told the outcome of every exchange (the fetches clients cause feed the upstream status) */
    public HttpUpstreamClient(Vertx vertx, HttpClient http, URI base, BearerChallengeAuthenticator auth,
                              RepositoryMetrics metrics, UpstreamHealth health, Settings settings) {
        this.vertx = vertx;
        this.http = http;
        this.base = base.toString().replaceAll("/+$", "");
        this.auth = auth;
        this.metrics = metrics;
        this.health = health;
        this.settings = settings;
    }

    /** Options of the HTTP client for upstream registries (one client, shared by all remote repositories). */
    public static HttpClientOptions options(Duration connectTimeout) {
        return new HttpClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setKeepAlive(true)
                .setTryUseCompression(false)
                .setMaxChunkSize(MAX_CHUNK_SIZE);
    }

    /**
     * Asks the upstream's {@code GET /v2/} once, without credentials, and records the outcome: any answer below 500
     * (401 included) is reachable. Only on request; the proxy never probes by itself.
     */
    public Future<UpstreamHealth.Report> probe() {
        String url = base + "/v2/";
        return send(HttpMethod.GET, url, headers(null, null), 0, 0, settings.metadataTimeout())
                .compose(resp -> {
                    int status = resp.statusCode();
                    drain(resp);
                    return status >= 500 || status == 429 ? Future.<Void>failedFuture(new UpstreamException(status,
                            "upstream answered " + status + " for " + url)) : Future.<Void>succeededFuture();
                })
                .transform(ar -> {
                    health.record(ar.failed() ? noAnswer(ar.cause(), url) : null);
                    return Future.succeededFuture(health.report());
                });
    }

    @Override
    public Future<Manifest> getManifest(ImageName name, String reference) {
        return exchange(HttpMethod.GET, name, "manifests/" + reference, MediaTypes.MANIFESTS_ACCEPT)
                .compose(resp -> readBounded(resp, MAX_MANIFEST_BYTES).map(body -> new Manifest(body.getBytes(),
                        mediaType(resp), resp.getHeader("Docker-Content-Digest"))));
    }

    @Override
    public Future<Head> headManifest(ImageName name, String reference) {
        return exchange(HttpMethod.HEAD, name, "manifests/" + reference, MediaTypes.MANIFESTS_ACCEPT)
                .compose(resp -> drain(resp).map(v -> head(resp)));
    }

    @Override
    public Future<HttpClientResponse> openBlob(ImageName name, Digest digest) {
        return exchange(HttpMethod.GET, name, "blobs/" + digest, null);
    }

    @Override
    public Future<Head> headBlob(ImageName name, Digest digest) {
        return exchange(HttpMethod.HEAD, name, "blobs/" + digest, null).compose(resp -> drain(resp).map(v -> head(resp)));
    }

    @Override
    public Future<Body> get(ImageName name, String suffix, int maxBytes) {
        return exchange(HttpMethod.GET, name, suffix, MediaTypes.JSON + ", " + MediaTypes.OCI_INDEX)
                .compose(resp -> readBounded(resp, maxBytes).map(body -> new Body(resp.statusCode(),
                        resp.getHeader(HttpHeaders.CONTENT_TYPE), resp.getHeader("Link"), body)));
    }

    /** Sends the request with authentication, retrying once after a challenge; answers a paused 2xx response. */
    private Future<HttpClientResponse> exchange(HttpMethod method, ImageName name, String suffix, String accept) {
        // Registries (Docker Hub) count manifest GETs against pull limits; blobs of a resolved image still flow.
        long wait = rateLimitedUntil - System.currentTimeMillis();
        if (wait > 0 && suffix.startsWith("manifests/")) {
            return Future.failedFuture(new UpstreamException(429, "upstream rate limit in force",
                    Duration.ofMillis(wait)));
        }
        String url = base + "/v2/" + name + "/" + suffix;
        String scope = "repository:" + name + ":pull";
        return auth.authorization(scope)
                .compose(authz -> send(method, url, headers(accept, authz), 0, 0, idle(suffix, method)))
                .compose(resp -> {
                    if (resp.statusCode() == 401 && auth.learn(resp.getHeader("WWW-Authenticate"), scope)) {
                        drain(resp);
                        return auth.authorization(scope).compose(authz -> send(method, url, headers(accept, authz), 0, 0,
                                idle(suffix, method)));
                    }
                    return Future.succeededFuture(resp);
                })
                .compose(resp -> resp.statusCode() / 100 == 2 ? Future.succeededFuture(resp) : failure(resp, url))
                .recover(e -> Future.failedFuture(e instanceof OciException ? e : noAnswer(e, url)))
                .onComplete(ar -> health.record(ar.failed() ? ar.cause() : null));
    }

    private static UpstreamException noAnswer(Throwable e, String url) {
        return e instanceof UpstreamException up ? up
                : new UpstreamException(isNoAnswer(e) ? 0 : 502, "upstream exchange for " + url + " failed: " + e);
    }

    /** Blob bodies may pause long under back-pressure; everything else is small and should come at once. */
    private Duration idle(String suffix, HttpMethod method) {
        return suffix.startsWith("blobs/") && method == HttpMethod.GET ? settings.idleTimeout() : settings.metadataTimeout();
    }

    private Future<HttpClientResponse> send(HttpMethod method, String url, MultiMap headers, int redirects, int attempt,
                                            Duration idle) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setHeaders(headers)
                .setFollowRedirects(false)
                .setConnectTimeout(settings.connectTimeout().toMillis())
                .setIdleTimeout(idle.toMillis());
        long start = System.nanoTime();
        return http.request(options).compose(req -> req.send()).transform(ar -> {
            if (ar.failed()) {
                metrics.upstream(0, System.nanoTime() - start);
                if (attempt < settings.connectRetries() && isConnectionFailure(ar.cause())) {
                    Promise<HttpClientResponse> retry = Promise.promise();
                    long backoff = settings.retryBackoff().toMillis() << attempt;
                    vertx.setTimer(Math.max(1, backoff), id ->
                            send(method, url, headers, redirects, attempt + 1, idle).onComplete(retry));
                    return retry.future();
                }
                return Future.failedFuture(new UpstreamException(0, "cannot reach upstream " + hostOf(url) + ": "
                        + inWords(ar.cause(), idle)));
            }
            HttpClientResponse resp = ar.result();
            resp.pause();
            metrics.upstream(resp.statusCode(), System.nanoTime() - start);
            String location = resp.getHeader(HttpHeaders.LOCATION);
            if (isRedirect(resp.statusCode()) && location != null && redirects < MAX_REDIRECTS) {
                drain(resp);
                String target = URI.create(url).resolve(location).toString();
                MultiMap next = MultiMap.caseInsensitiveMultiMap().addAll(headers);
                if (!sameOrigin(url, target)) {
                    next.remove(HttpHeaders.AUTHORIZATION);
                }
                return send(method, target, next, redirects + 1, 0, idle);
            }
            return Future.succeededFuture(resp);
        });
    }

    private Future<HttpClientResponse> failure(HttpClientResponse resp, String url) {
        int status = resp.statusCode();
        drain(resp); // so the connection can be reused
        Duration retryAfter = null;
        if (status == 429) {
            retryAfter = parseRetryAfter(resp.getHeader(HttpHeaders.RETRY_AFTER));
            if (url.contains("/manifests/")) {
                rateLimitedUntil = System.currentTimeMillis() + retryAfter.toMillis();
            }
        }
        String answered = resp.request().absoluteURI();
        if (status >= 400 && status < 500 && status != 429 && answered != null && !sameOrigin(url, answered)) {
            // Blob storage behind a redirect (an expired signed URL, say) is not the registry saying "unknown".
            return Future.failedFuture(new UpstreamException(502, "blob storage " + hostOf(answered) + " answered "
                    + status + " for " + url));
        }
        return Future.failedFuture(new UpstreamException(status, "upstream answered " + status + " for " + url,
                retryAfter));
    }

    static Duration parseRetryAfter(String header) {
        if (header == null) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return Duration.ofSeconds(Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException e) {
            try {
                long millis = java.time.ZonedDateTime.parse(header.trim(),
                        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
                        - System.currentTimeMillis();
                return Duration.ofMillis(Math.min(Math.max(millis, 1000), MAX_RETRY_AFTER.toMillis()));
            } catch (java.time.format.DateTimeParseException ignored) {
                return DEFAULT_RETRY_AFTER;
            }
        }
    }

    /** Reads a response body of at most {@code maxBytes}; a larger one resets the stream and fails. */
    static Future<Buffer> readBounded(HttpClientResponse resp, int maxBytes) {
        String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parseLength(length) > maxBytes) {
            resp.request().reset();
            return Future.failedFuture(new UpstreamException(502, "upstream body of " + length
                    + " bytes exceeds the limit of " + maxBytes));
        }
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > maxBytes) {
                resp.request().reset();
                promise.tryFail(new UpstreamException(502, "upstream body exceeds the limit of " + maxBytes));
            } else {
                body.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(e -> promise.tryFail(new UpstreamException(0, "upstream body failed: " + e.getMessage())));
        resp.endHandler(v -> promise.tryComplete(body));
        resp.resume();
        return promise.future();
    }

    /** Reads a paused response to its end (HEADs, errors, redirects): body() alone would wait forever. */
    private static Future<Buffer> drain(HttpClientResponse resp) {
        return readBounded(resp, MAX_DRAIN_BYTES);
    }

    /** -1 when absent or not a number (an upstream's odd header must not become our 500). */
    public static long parseLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Head head(HttpClientResponse resp) {
        String digest = resp.getHeader("Docker-Content-Digest");
        String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
        Digest parsed = null;
        if (digest != null) {
            try {
                parsed = Digest.parse(digest.trim());
            } catch (OciException e) {
                parsed = null; // an upstream with an odd header: treat as unknown, callers fall back to GET
            }
        }
        return new Head(parsed, mediaType(resp), parseLength(length));
    }

    private static String mediaType(HttpClientResponse resp) {
        String type = resp.getHeader(HttpHeaders.CONTENT_TYPE);
        return type == null ? null : type.split(";", 2)[0].trim();
    }

    private static MultiMap headers(String accept, String authorization) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set(HttpHeaders.USER_AGENT, USER_AGENT);
        if (accept != null) {
            headers.set(HttpHeaders.ACCEPT, accept);
        }
        if (authorization != null) {
            headers.set(HttpHeaders.AUTHORIZATION, authorization);
        }
        return headers;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Worth another attempt: the connection was refused or dropped (not a timeout: that would multiply it). */
    static boolean isConnectionFailure(Throwable t) {
        return t instanceof ConnectException || t instanceof HttpClosedException || t instanceof ClosedChannelException;
    }

    /** Why there was no answer, as a person would say it (the exception's own text often only repeats the host). */
    static String inWords(Throwable t, Duration idle) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return "DNS lookup failed (unknown host)";
            }
            if (c instanceof ConnectException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                return m.contains("timed out") ? "connect timed out" : m.contains("refused") ? "connection refused"
                        : "cannot connect (" + c.getMessage() + ")";
            }
            if (c instanceof TimeoutException || c instanceof io.netty.handler.timeout.TimeoutException) {
                return "no answer within " + idle.toSeconds() + " s";
            }
            if (c instanceof HttpClosedException || c instanceof ClosedChannelException) {
                return "the connection was closed before an answer";
            }
        }
        return Objects.requireNonNullElse(t.getMessage(), t.getClass().getSimpleName());
    }

    /** No HTTP answer at all (status 0): connection failures and timeouts. */
    static boolean isNoAnswer(Throwable t) {
        return isConnectionFailure(t) || t instanceof TimeoutException
                || t instanceof io.netty.handler.timeout.TimeoutException;
    }

    private static boolean sameOrigin(String a, String b) {
        URI x = URI.create(a);
        URI y = URI.create(b);
        return Objects.equals(x.getScheme(), y.getScheme()) && Objects.equals(x.getHost(), y.getHost())
                && x.getPort() == y.getPort();
    }

    private static String hostOf(String url) {
        URI u = URI.create(url);
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }
}
