package dev.entrepot.proxy.api;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ManifestWriter;
import dev.entrepot.proxy.repository.Repositories.Target;
import dev.entrepot.proxy.repository.Repository;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Map;

/**
 * {@code /v2/<repository>/<name>/manifests/<tag|digest>}: GET/HEAD byte-exact with Accept negotiation; PUT and
 * DELETE for repositories that take pushes. A pushed body is read into memory, bounded to
 * {@link #MAX_MANIFEST_BYTES} (manifests are small metadata, never blobs).
 */
final class ManifestHandler {
    static final int MAX_MANIFEST_BYTES = ManifestContent.MAX_BYTES;

    private final Vertx vertx;
    private final ProxyMetrics metrics;

    ManifestHandler(Vertx vertx, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void get(HttpServerRequest request, Repository repository, ImageName name, Reference reference) {
        Future<ManifestContent> found = repository.manifest(name, reference);
        if (found.isComplete()) { // a warm hit: answered on the request's own loop, no hop and no callback
            respond(request, repository, reference, found.result(), found.cause());
            return;
        }
        Context context = vertx.getOrCreateContext();
        found.onComplete(ar -> {
            if (Vertx.currentContext() == context) {
                respond(request, repository, reference, ar.result(), ar.cause());
            } else {
                context.runOnContext(v -> respond(request, repository, reference, ar.result(), ar.cause()));
            }
        });
    }

    /** @param path the name as the client wrote it, for the Location */
    void put(HttpServerRequest request, Target target, String path, Reference reference) {
        ManifestWriter writer = target.repository().pushable().manifests();
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parseLength(declared) > MAX_MANIFEST_BYTES) {
            throw tooLarge();
        }
        Context context = vertx.getOrCreateContext();
        Buffer body = Buffer.buffer();
        boolean[] overflow = new boolean[1];
        request.handler(chunk -> {
            if (!overflow[0] && body.length() + chunk.length() > MAX_MANIFEST_BYTES) {
                overflow[0] = true;
                OciErrors.send(request, tooLarge());
            } else if (!overflow[0]) {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> {
            if (overflow[0]) {
                return;
            }
            writer.put(target.name(), reference, request.getHeader(HttpHeaders.CONTENT_TYPE), body.getBytes(),
                            request.getHeader(HttpHeaders.HOST))
                    .onComplete(ar -> context.runOnContext(x -> {
                        if (ar.failed()) {
                            OciErrors.send(request, ar.cause());
                            return;
                        }
                        HttpServerResponse response = request.response().setStatusCode(201)
                                .putHeader(HttpHeaders.LOCATION, "/v2/" + path + "/manifests/" + ar.result().digest())
                                .putHeader(Headers.DOCKER_CONTENT_DIGEST, ar.result().digest().toString())
                                .putHeader(HttpHeaders.CONTENT_LENGTH, "0");
                        if (ar.result().subject() != null) {
                            response.putHeader("OCI-Subject", ar.result().subject().toString());
                        }
                        response.end();
                    }));
        });
        request.resume(); // it may have been paused while the credentials were checked
    }

    void delete(HttpServerRequest request, Target target, Reference reference) {
        ManifestWriter writer = target.repository().pushable().manifests();
        Context context = vertx.getOrCreateContext();
        writer.delete(target.name(), reference, request.getHeader(HttpHeaders.HOST)).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
            } else {
                request.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
            }
        }));
    }

    private static long parseLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw new OciException(OciErrorCode.SIZE_INVALID, "invalid Content-Length '" + header + "'");
        }
    }

    private static OciException tooLarge() {
        return new OciException(OciErrorCode.MANIFEST_INVALID, 413, "manifest larger than " + MAX_MANIFEST_BYTES
                + " bytes", Map.of());
    }

    private void respond(HttpServerRequest request, Repository repository, Reference reference,
                         ManifestContent content, Throwable failure) {
        HttpServerResponse response = request.response();
        if (failure != null) {
            OciErrors.send(response, request.method(), failure);
            return;
        }
        List<String> accept = request.headers().getAll(HttpHeaders.ACCEPT);
        if (reference instanceof Reference.Tag && !MediaTypes.accepts(accept, content.mediaType())) {
            // Asked by digest, the client knows exactly what it wants; by tag, it must be able to read the type.
            OciErrors.send(response, request.method(), new OciException(OciErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + reference + " is " + content.mediaType() + ", which the request's Accept header ("
                            + String.join(",", accept) + ") does not allow"));
            return;
        }
        String digest = content.digest().toString();
        response.putHeader(HttpHeaders.CONTENT_TYPE, content.mediaType())
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(content.bytes().length))
                .putHeader(Headers.DOCKER_CONTENT_DIGEST, digest)
                .putHeader(HttpHeaders.ETAG, '"' + digest + '"');
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            // wrapped, not copied: the bytes of a cached manifest are never changed
            response.end(Buffer.buffer(Unpooled.wrappedBuffer(content.bytes())));
            metrics.repository(repository.name()).served(content.bytes().length);
        }
    }
}
