package dev.entrepot.proxy.api;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.Repository;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** {@code GET|HEAD /v2/<repository>/<name>/manifests/<tag|digest>}: byte-exact, with Accept negotiation. */
final class ManifestHandler {
    private final Vertx vertx;
    private final ProxyMetrics metrics;

    ManifestHandler(Vertx vertx, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void get(HttpServerRequest request, Repository repository, ImageName name, Reference reference) {
        Context context = vertx.getOrCreateContext();
        repository.manifest(name, reference).onComplete(ar -> {
            Runnable respond = () -> respond(request, repository, reference, ar.result(), ar.cause());
            if (Vertx.currentContext() == context) {
                respond.run(); // a warm hit completes on the request's own loop: no hop
            } else {
                context.runOnContext(v -> respond.run());
            }
        });
    }

    private void respond(HttpServerRequest request, Repository repository, Reference reference,
                         ManifestContent content, Throwable failure) {
        HttpServerResponse response = request.response();
        if (failure != null) {
            OciErrors.send(response, request.method(), failure);
            return;
        }
        String accept = String.join(",", request.headers().getAll(HttpHeaders.ACCEPT));
        if (reference instanceof Reference.Tag && !MediaTypes.accepts(accept, content.mediaType())) {
            // Asked by digest, the client knows exactly what it wants; by tag, it must be able to read the type.
            OciErrors.send(response, request.method(), new OciException(OciErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + reference + " is " + content.mediaType() + ", which the request's Accept header ("
                            + accept + ") does not allow"));
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, content.mediaType())
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(content.bytes().length))
                .putHeader("Docker-Content-Digest", content.digest().toString())
                .putHeader(HttpHeaders.ETAG, "\"" + content.digest() + "\"");
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(Buffer.buffer(content.bytes()));
            metrics.repository(repository.name()).served(content.bytes().length);
        }
    }
}
