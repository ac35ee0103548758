package dev.entrepot.proxy.api;

import dev.entrepot.proxy.auth.Action;
import dev.entrepot.proxy.auth.ClientAuth;
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
import java.util.Map;

/**
 * The {@code /v2/} API on the Vert.x event loop. Paths are parsed from the end, because image names may contain
 * slashes: {@code <name>/manifests/<ref>}, {@code <name>/blobs/<digest>}, {@code <name>/blobs/uploads/[<id>]},
 * {@code <name>/tags/list}, {@code <name>/referrers/<digest>}; then {@link Repositories} says which repository
 * {@code <name>} belongs to, and {@link ClientAuth} whether the caller may do that there.
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
    private UploadHandler uploads;
    private ListHandler lists;

    void register(@Observes Router router) {
        manifests = new ManifestHandler(vertx, metrics);
        blobs = new BlobHandler(vertx, metrics);
        uploads = new UploadHandler(vertx);
        lists = new ListHandler(vertx);
        router.route("/v2").handler(this::handle);
        router.route("/v2/*").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.response().putHeader(API_VERSION, "registry/2.0");
        try {
            dispatch(request);
        } catch (RuntimeException e) {
            OciErrors.send(request, e);
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
        ClientAuth auth = runtime.clientAuth();
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (rest.isEmpty()) {
            only(method, "the API version check", HttpMethod.GET, HttpMethod.HEAD);
            auth.authorize(authorization, null, Action.PULL);
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
            only(method, "the catalog", HttpMethod.GET, HttpMethod.HEAD);
            auth.authorize(authorization, null, Action.PULL);
            lists.catalog(request, repositories);
            return;
        }
        String ns = request.getParam("ns");
        if (rest.endsWith("/tags/list")) {
            only(method, "tag lists", HttpMethod.GET, HttpMethod.HEAD);
            String path = rest.substring(0, rest.length() - "/tags/list".length());
            Target target = allowed(repositories.resolve(path, ns), authorization, Action.PULL);
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
            case "manifests" -> manifest(request, repositories.resolve(path, ns), path, last, authorization);
            case "blobs" -> blob(request, repositories, repositories.resolve(path, ns), path, last, authorization);
            case "uploads" -> {
                if (!path.endsWith("/blobs")) {
                    throw notFound(rest);
                }
                String name = path.substring(0, path.length() - "/blobs".length());
                upload(request, repositories.resolve(name, ns), name, last, authorization);
            }
            case "referrers" -> {
                only(method, "referrers", HttpMethod.GET, HttpMethod.HEAD);
                Target target = allowed(repositories.resolve(path, ns), authorization, Action.PULL);
                lists.referrers(request, target.repository(), target.name(), Digest.parse(last));
            }
            default -> throw notFound(rest);
        }
    }

    private void manifest(HttpServerRequest request, Target target, String path, String ref, String authorization) {
        HttpMethod method = request.method();
        if (method == HttpMethod.PUT) {
            Reference reference = Reference.parse(ref);
            allowed(target, authorization, Action.PUSH).repository().pushable();
            continueIfExpected(request);
            manifests.put(request, target, path, reference);
            return;
        }
        only(method, "manifests", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
        Reference reference = existingReference(ref);
        if (method == HttpMethod.DELETE) {
            manifests.delete(request, allowed(target, authorization, Action.DELETE), reference);
        } else {
            allowed(target, authorization, Action.PULL);
            manifests.get(request, target.repository(), target.name(), reference);
        }
    }

    private void blob(HttpServerRequest request, Repositories repositories, Target target, String path, String last,
                      String authorization) {
        HttpMethod method = request.method();
        if (last.equals("uploads")) {
            only(method, "starting an upload", HttpMethod.POST);
            String from = request.getParam("from");
            Target mountFrom = null;
            if (from != null && request.getParam("mount") != null) {
                mountFrom = mountSource(repositories, from, authorization);
            }
            allowed(target, authorization, Action.PUSH).repository().pushable();
            continueIfExpected(request);
            uploads.post(request, target, path, mountFrom);
            return;
        }
        only(method, "blobs", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
        Digest digest = Digest.parse(last);
        if (method == HttpMethod.DELETE) {
            blobs.delete(request, allowed(target, authorization, Action.DELETE), digest);
        } else {
            allowed(target, authorization, Action.PULL);
            blobs.get(request, target.repository(), target.name(), digest);
        }
    }

    private void upload(HttpServerRequest request, Target target, String path, String id, String authorization) {
        HttpMethod method = request.method();
        only(method, "uploads", HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
        Target writable = allowed(target, authorization, Action.PUSH);
        writable.repository().pushable();
        if (method == HttpMethod.PATCH || method == HttpMethod.PUT) {
            continueIfExpected(request);
        }
        if (method == HttpMethod.GET) {
            uploads.status(request, writable, path, id);
        } else if (method == HttpMethod.PATCH) {
            uploads.patch(request, writable, path, id);
        } else if (method == HttpMethod.PUT) {
            uploads.put(request, writable, path, id);
        } else {
            uploads.cancel(request, writable, id);
        }
    }

    /** The image {@code ?from=} names, if it is one the caller may pull; otherwise the mount becomes an upload. */
    private Target mountSource(Repositories repositories, String from, String authorization) {
        try {
            return allowed(repositories.resolve(from, null), authorization, Action.PULL);
        } catch (OciException e) {
            return null;
        }
    }

    private Target allowed(Target target, String authorization, Action action) {
        runtime.clientAuth().authorize(authorization, target.repository().name(), action);
        return target;
    }

    /** A client that asked {@code Expect: 100-continue} waits for this before sending the body (curl: a second). */
    private static void continueIfExpected(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && expect.equalsIgnoreCase("100-continue")) {
            request.response().writeContinue();
        }
    }

    /** A reference to read or delete: one that cannot exist is simply unknown (the spec's 404), not a bad request. */
    private static Reference existingReference(String text) {
        try {
            return Reference.parse(text);
        } catch (OciException e) {
            throw new OciException(OciErrorCode.MANIFEST_UNKNOWN, "no manifest " + text + " (" + e.getMessage() + ")");
        }
    }

    private static void only(HttpMethod method, String what, HttpMethod... allowed) {
        for (HttpMethod m : allowed) {
            if (m == method) {
                return;
            }
        }
        throw new OciException(OciErrorCode.UNSUPPORTED, method + " is not supported on " + what);
    }

    private static OciException notFound(String path) {
        return new OciException(OciErrorCode.NAME_UNKNOWN, 404, "no such API endpoint: /v2/" + path, Map.of());
    }
}
