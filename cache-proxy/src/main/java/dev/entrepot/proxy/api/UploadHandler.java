package dev.entrepot.proxy.api;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobUploads.Chunk;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.Repositories.Target;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blob uploads, as the distribution spec describes them: {@code POST .../blobs/uploads/} (a session, a monolithic
 * upload with {@code ?digest=}, or a cross-repository mount), then {@code PATCH}, {@code PUT ?digest=},
 * {@code GET} (status) and {@code DELETE} (cancel) on the session's Location. Locations are root-relative
 * {@code /v2/<name as the client wrote it>/blobs/uploads/<id>}; they stay valid for the session's life.
 */
final class UploadHandler {
    /** The spec's {@code <start>-<end>}; clients that write {@code bytes <start>-<end>} are understood too. */
    private static final Pattern CONTENT_RANGE = Pattern.compile("^(?:bytes[ =])?(\\d{1,18})-(\\d{1,18})(?:/\\S+)?$");

    private final Vertx vertx;

    UploadHandler(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * @param path      the name as the client wrote it, for Locations
     * @param mountFrom where {@code ?mount=} should come from ({@code ?from=} resolved), or null
     */
    void post(HttpServerRequest request, Target target, String path, Target mountFrom) {
        request.pause();
        BlobUploads uploads = target.repository().pushable().uploads();
        ImageName name = target.name();
        String digestParam = request.getParam("digest");
        if (digestParam != null) {
            Digest digest = Digest.parse(digestParam);
            respond(request, uploads.start(name)
                    .compose(session -> uploads.commit(name, session.id(), digest, chunk(request, false)))
                    .map(stored -> () -> created(request, path, stored)));
            return;
        }
        discardBody(request); // a session needs no body; any sent is dropped
        String mountParam = request.getParam("mount");
        Future<Optional<Digest>> mounted = mountParam == null || mountFrom == null ? Future.succeededFuture(Optional.empty())
                : uploads.mount(name, Digest.parse(mountParam), mountFrom.repository(), mountFrom.name());
        respond(request, mounted.compose(m -> m.isPresent()
                ? Future.<Runnable>succeededFuture(() -> created(request, path, m.get()))
                : uploads.start(name).map(session -> () -> accepted(request, path, session, 202))));
    }

    private static void discardBody(HttpServerRequest request) {
        if (!request.isEnded()) {
            request.handler(ignored -> { });
            request.resume();
        }
    }

    void status(HttpServerRequest request, Target target, String path, String id) {
        respond(request, target.repository().pushable().uploads().status(target.name(), id)
                .map(session -> () -> accepted(request, path, session, 204)));
    }

    void patch(HttpServerRequest request, Target target, String path, String id) {
        request.pause();
        BlobUploads uploads = target.repository().pushable().uploads();
        respond(request, uploads.append(target.name(), id, chunk(request, true))
                .map(session -> () -> accepted(request, path, session, 202)));
    }

    void put(HttpServerRequest request, Target target, String path, String id) {
        request.pause();
        String digestParam = request.getParam("digest");
        if (digestParam == null || digestParam.isBlank()) {
            throw new OciException(OciErrorCode.DIGEST_INVALID, "closing an upload needs ?digest=<digest of the blob>");
        }
        Digest digest = Digest.parse(digestParam);
        BlobUploads uploads = target.repository().pushable().uploads();
        respond(request, uploads.commit(target.name(), id, digest, chunk(request, true))
                .map(stored -> () -> created(request, path, stored)));
    }

    void cancel(HttpServerRequest request, Target target, String id) {
        respond(request, target.repository().pushable().uploads().cancel(target.name(), id)
                .map(v -> () -> request.response().setStatusCode(204).putHeader(HttpHeaders.CONTENT_LENGTH, "0").end()));
    }

    /** Answers on the request's event loop: {@code onSuccess} writes the response. */
    private void respond(HttpServerRequest request, Future<Runnable> outcome) {
        Context context = vertx.getOrCreateContext();
        outcome.onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
            } else {
                ar.result().run();
            }
        }));
    }

    /**
     * The request body as a chunk: {@code Content-Range} gives where it starts (only when {@code ranged}), and its
     * length must then agree with {@code Content-Length}. An empty body is no chunk.
     */
    private static Chunk chunk(HttpServerRequest request, boolean ranged) {
        long length = contentLength(request);
        String range = ranged ? request.getHeader(HttpHeaders.CONTENT_RANGE) : null;
        if (range == null) {
            return length == 0 ? null : new Chunk(request, null, length);
        }
        Matcher m = CONTENT_RANGE.matcher(range.trim());
        if (!m.matches()) {
            throw new OciException(OciErrorCode.BLOB_UPLOAD_INVALID, 416, "Content-Range must be <start>-<end>, got '"
                    + range + "'", Map.of());
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        if (end < start) {
            throw new OciException(OciErrorCode.BLOB_UPLOAD_INVALID, 416, "Content-Range " + range
                    + " ends before it starts", Map.of());
        }
        long rangeLength = end - start + 1;
        if (length >= 0 && length != rangeLength) {
            throw new OciException(OciErrorCode.SIZE_INVALID, "Content-Range " + range + " is " + rangeLength
                    + " bytes but Content-Length is " + length);
        }
        return new Chunk(request, start, rangeLength);
    }

    private static long contentLength(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return request.isEnded() ? 0 : -1;
        }
        try {
            long length = Long.parseLong(header.trim());
            if (length < 0) {
                throw new NumberFormatException();
            }
            return length;
        } catch (NumberFormatException e) {
            throw new OciException(OciErrorCode.SIZE_INVALID, "invalid Content-Length '" + header + "'");
        }
    }

    private static void accepted(HttpServerRequest request, String path, BlobUploads.Session session, int status) {
        request.response().setStatusCode(status)
                .putHeader(HttpHeaders.LOCATION, "/v2/" + path + "/blobs/uploads/" + session.id())
                .putHeader("Range", "0-" + Math.max(0, session.size() - 1))
                .putHeader("Docker-Upload-UUID", session.id())
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                .end();
    }

    private static void created(HttpServerRequest request, String path, Digest digest) {
        HttpServerResponse response = request.response();
        response.setStatusCode(201)
                .putHeader(HttpHeaders.LOCATION, "/v2/" + path + "/blobs/" + digest)
                .putHeader(Headers.DOCKER_CONTENT_DIGEST, digest.toString())
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                .end();
    }
}
