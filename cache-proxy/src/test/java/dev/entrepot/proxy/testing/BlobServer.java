package dev.entrepot.proxy.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream for blob bytes on a loopback port, and the client side that opens a path as the paused
 * 200 response {@code InflightFetches} expects. Responses can be held back or cut short to test coalescing and
 * broken transfers.
 */
public final class BlobServer {
    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient client;
    private final Context clientContext;
    private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    private BlobServer(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer();
        this.client = vertx.createHttpClient();
        this.clientContext = vertx.getOrCreateContext();
    }

    public static BlobServer start(Vertx vertx) throws Exception {
        BlobServer blobs = new BlobServer(vertx);
        blobs.server.requestHandler(blobs::handle);
        Await.result(blobs.server.listen(0, "127.0.0.1"));
        return blobs;
    }

    private void handle(HttpServerRequest request) {
        hits.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
        Handler<HttpServerRequest> route = routes.get(request.path());
        if (route == null) {
            request.response().setStatusCode(404).end();
        } else {
            route.handle(request);
        }
    }

    /** GET requests {@code path} received. */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** The whole body at once, with Content-Length. */
    public void serve(String path, byte[] body) {
        routes.put(path, request -> request.response().end(Buffer.buffer(body)));
    }

    /** The whole body, but only once {@code gate} completes: the client waits for the response headers. */
    public void serveAfter(String path, byte[] body, Future<Void> gate) {
        routes.put(path, request -> {
            Context context = vertx.getOrCreateContext();
            gate.onComplete(v -> context.runOnContext(x -> request.response().end(Buffer.buffer(body))));
        });
    }

    /** Headers and the first {@code firstPart} bytes at once, the rest when {@code gate} completes. */
    public void serveInTwoParts(String path, byte[] body, int firstPart, Future<Void> gate) {
        routes.put(path, request -> {
            Context context = vertx.getOrCreateContext();
            request.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length))
                    .write(Buffer.buffer(body).slice(0, firstPart));
            gate.onComplete(v -> context.runOnContext(x ->
                    request.response().end(Buffer.buffer(body).slice(firstPart, body.length))));
        });
    }

    /** Chunked transfer encoding: no Content-Length, the body in several chunks. */
    public void serveChunked(String path, byte[] body, int chunkSize) {
        routes.put(path, request -> {
            request.response().setChunked(true);
            for (int off = 0; off < body.length; off += chunkSize) {
                request.response().write(Buffer.buffer(body).slice(off, Math.min(body.length, off + chunkSize)));
            }
            request.response().end();
        });
    }

    /** Announces the whole length, sends {@code firstPart} bytes, then drops the connection. */
    public void serveTruncated(String path, byte[] body, int firstPart) {
        routes.put(path, request -> request.response()
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length))
                .write(Buffer.buffer(body).slice(0, firstPart))
                .onComplete(v -> request.connection().close()));
    }

    /** The event loop the client runs on: callers that handle its responses should run there too, as the proxy does. */
    public Context clientContext() {
        return clientContext;
    }

    /** GETs {@code path}; the response is paused before any body byte is delivered. */
    public Future<HttpClientResponse> open(String path) {
        Promise<HttpClientResponse> opened = Promise.promise();
        clientContext.runOnContext(v -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
                .compose(request -> request.send())
                .map(response -> {
                    response.pause();
                    return response;
                })
                .onComplete(opened));
        return opened.future();
    }
}
