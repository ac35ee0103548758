package dev.entrepot.proxy.api;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.Repositories.Target;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.runtime.ProxyRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code /v2/} API on the Vert.x event loop. Paths are parsed from the end, because image names may contain
 * slashes: {@code <name>/manifests/<ref>}, {@code <name>/blobs/<digest>}, {@code <name>/blobs/uploads/...},
 * {@code <name>/tags/list}, {@code <name>/referrers/<digest>}; then {@link Repositories} says which repository
 * {@code <name>} belongs to. Push routes are recognised and answered by the repository (UNSUPPORTED for caches).
 */
@ApplicationScoped
public class RegistryRouter {
    private static final String API_VERSION = "Docker-Distribution-API-Version";

    @Inject
    ProxyRuntime runtime;
    @Inject
    Vertx vertx;
    @Inject
    ProxyMetrics metrics;

    private ManifestHandler manifests;
    private BlobHandler blobs;
    private ListHandler lists;

    void register(@Observes Router router) {
        manifests = new ManifestHandler(vertx, metrics);
        blobs = new BlobHandler(vertx, metrics);
        lists = new ListHandler(vertx);
        router.route("/v2").handler(this::handle);
        router.route("/v2/*").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.response().putHeader(API_VERSION, "registry/2.0");
        try {
            runtime.clientAuth().check(request.getHeader(HttpHeaders.AUTHORIZATION));
            dispatch(request);
        } catch (RuntimeException e) {
            OciErrors.send(request.response(), request.method(), e);
        }
    }

    private void dispatch(HttpServerRequest request) {
        // Names, tags and digests have no '%' of their own: decoding lets sha256%3A... mean sha256:...
        String decoded = request.path();
        if (decoded.indexOf('%') >= 0) { // rare: keep the hot path free of decoding
            try {
                decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new OciException(OciErrorCode.NAME_INVALID, "malformed percent-encoding in " + request.path());
            }
        }
        String rest = decoded.length() <= 4 ? "" : decoded.substring(4);
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        HttpMethod method = request.method();
        if (rest.isEmpty()) {
            readOnly(method);
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONTENT_LENGTH, "2");
            if (method == HttpMethod.HEAD) {
                request.response().end();
            } else {
                request.response().end("{}");
            }
            return;
        }
        Repositories repositories = runtime.repositories();
        if (rest.equals("_catalog")) {
            readOnly(method);
            lists.catalog(request, repositories);
            return;
        }
        String ns = request.getParam("ns");
        if (rest.endsWith("/tags/list")) {
            readOnly(method);
            String path = rest.substring(0, rest.length() - "/tags/list".length());
            Target target = repositories.resolve(path, ns);
            lists.tags(request, target.repository(), target.name(), path);
            return;
        }
        int lastSlash = rest.lastIndexOf('/');
        int kindSlash = lastSlash <= 0 ? -1 : rest.lastIndexOf('/', lastSlash - 1);
        if (kindSlash <= 0) {
            throw notFound(rest);
        }
        String kind = rest.substring(kindSlash + 1, lastSlash);
        String last = rest.substring(lastSlash + 1);
        String path = rest.substring(0, kindSlash);
        switch (kind) {
            case "manifests" -> {
                Target target = repositories.resolve(path, ns);
                if (isRead(method)) {
                    manifests.get(request, target.repository(), target.name(), Reference.parse(last));
                } else {
                    push(request, target, method + " manifest");
                }
            }
            case "blobs" -> {
                Target target = repositories.resolve(path, ns);
                if (last.equals("uploads") || !isRead(method)) {
                    push(request, target, "blob upload");
                } else {
                    blobs.get(request, target.repository(), target.name(), Digest.parse(last));
                }
            }
            case "uploads" -> {
                if (!path.endsWith("/blobs")) {
                    throw notFound(rest);
                }
                push(request, repositories.resolve(path.substring(0, path.length() - "/blobs".length()), ns),
                        "blob upload");
            }
            case "referrers" -> {
                readOnly(method);
                Target target = repositories.resolve(path, ns);
                lists.referrers(request, target.repository(), target.name(), Digest.parse(last));
            }
            default -> throw notFound(rest);
        }
    }

    private void push(HttpServerRequest request, Target target, String operation) {
        target.repository().pushable(); // UNSUPPORTED, saying why, for repositories that take no writes
        throw new OciException(OciErrorCode.UNSUPPORTED, operation + " is not supported");
    }

    private static boolean isRead(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD;
    }

    private static void readOnly(HttpMethod method) {
        if (!isRead(method)) {
            throw new OciException(OciErrorCode.UNSUPPORTED, method + " is not supported on this endpoint");
        }
    }

    private static OciException notFound(String path) {
        return new OciException(OciErrorCode.NAME_UNKNOWN, 404, "no such API endpoint: /v2/" + path,
                java.util.Map.of());
    }
}
