package dev.entrepot.proxy.api;

import dev.entrepot.proxy.auth.Action;
import dev.entrepot.proxy.auth.Caller;
import dev.entrepot.proxy.auth.ClientAuth;
import dev.entrepot.proxy.auth.Scope;
import dev.entrepot.proxy.auth.Verdict;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.Repositories.Target;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.repository.RequestHost;
import dev.entrepot.proxy.runtime.ProxyRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
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
 * {@code <name>} belongs to, and {@link ClientAuth} whether the caller may do that there. Credentials are read
 * first; when that takes a hop off the event loop (a bcrypt hash, a TokenReview) the request is paused meanwhile.
 */
@ApplicationScoped
public class RegistryRouter {

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
        request.response().putHeader(Headers.API_VERSION, Headers.REGISTRY_2_0);
        RequestHost.set(request.getHeader(HttpHeaders.HOST));
        ClientAuth auth = runtime.clientAuth();
        Future<Caller> caller = auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (caller.isComplete()) {
            run(request, auth, caller);
            return;
        }
        request.pause();
        Context context = vertx.getOrCreateContext();
        caller.onComplete(ar -> context.runOnContext(v -> {
            run(request, auth, caller);
            HttpMethod method = request.method();
            if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.DELETE) {
                request.resume(); // no body to wait for; the handlers that read one resume when they are ready
            }
        }));
    }

    private void run(HttpServerRequest request, ClientAuth auth, Future<Caller> caller) {
        try {
            if (caller.failed()) {
                throw caller.cause() instanceof RuntimeException e ? e : new IllegalStateException(caller.cause());
            }
            dispatch(request, new Gate(auth, caller.result(), request));
        } catch (RuntimeException e) {
            OciErrors.send(request, e);
        }
    }

    private void dispatch(HttpServerRequest request, Gate gate) {
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
            only(method, "the API version check", HttpMethod.GET, HttpMethod.HEAD);
            gate.version();
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
            gate.catalog();
            lists.catalog(request, repositories.all().stream().filter(r -> gate.lists(r.name())).toList());
            return;
        }
        String ns = request.query() == null ? null : request.getParam("ns"); // no query: no params map to build
        if (rest.endsWith("/tags/list")) {
            only(method, "tag lists", HttpMethod.GET, HttpMethod.HEAD);
            String path = rest.substring(0, rest.length() - "/tags/list".length());
            Target target = gate.allow(repositories.resolve(path, ns), path, Action.PULL);
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
            case "manifests" -> manifest(request, repositories.resolve(path, ns), path, last, gate);
            case "blobs" -> blob(request, repositories, repositories.resolve(path, ns), path, last, gate);
            case "uploads" -> {
                if (!path.endsWith("/blobs")) {
                    throw notFound(rest);
                }
                String name = path.substring(0, path.length() - "/blobs".length());
                upload(request, repositories.resolve(name, ns), name, last, gate);
            }
            case "referrers" -> {
                only(method, "referrers", HttpMethod.GET, HttpMethod.HEAD);
                Target target = gate.allow(repositories.resolve(path, ns), path, Action.PULL);
                lists.referrers(request, target.repository(), target.name(), Digest.parse(last));
            }
            default -> throw notFound(rest);
        }
    }

    private void manifest(HttpServerRequest request, Target target, String path, String ref, Gate gate) {
        HttpMethod method = request.method();
        if (method == HttpMethod.PUT) {
            Reference reference = Reference.parse(ref);
            gate.allow(target, path, Action.PUSH).repository().pushable();
            continueIfExpected(request);
            manifests.put(request, target, path, reference);
            return;
        }
        only(method, "manifests", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
        Reference reference = existingReference(ref);
        if (method == HttpMethod.DELETE) {
            manifests.delete(request, gate.allow(target, path, Action.DELETE), reference);
        } else {
            gate.allow(target, path, Action.PULL);
            manifests.get(request, target.repository(), target.name(), reference);
        }
    }

    private void blob(HttpServerRequest request, Repositories repositories, Target target, String path, String last,
                      Gate gate) {
        HttpMethod method = request.method();
        if (last.equals("uploads")) {
            only(method, "starting an upload", HttpMethod.POST);
            String from = request.getParam("from");
            Target mountFrom = null;
            if (from != null && request.getParam("mount") != null) {
                mountFrom = mountSource(repositories, from, gate);
            }
            gate.allow(target, path, Action.PUSH).repository().pushable();
            continueIfExpected(request);
            uploads.post(request, target, path, mountFrom);
            return;
        }
        only(method, "blobs", HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
        Digest digest = Digest.parse(last);
        if (method == HttpMethod.DELETE) {
            blobs.delete(request, gate.allow(target, path, Action.DELETE), digest);
        } else {
            gate.allow(target, path, Action.PULL);
            blobs.get(request, target.repository(), target.name(), digest);
        }
    }

    private void upload(HttpServerRequest request, Target target, String path, String id, Gate gate) {
        HttpMethod method = request.method();
        only(method, "uploads", HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
        Target writable = gate.allow(target, path, Action.PUSH);
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
    private Target mountSource(Repositories repositories, String from, Gate gate) {
        try {
            return gate.allow(repositories.resolve(from, null), from, Action.PULL);
        } catch (OciException e) {
            return null;
        }
    }

    /** One request's caller and the generation's rules: every route asks here before it acts. */
    private record Gate(ClientAuth auth, Caller caller, HttpServerRequest request) {

        /** @param path the image path as the request wrote it: what a token's scope names */
        Target allow(Target target, String path, Action action) {
            String repository = target.repository().name();
            Verdict verdict = auth.check(caller, repository, path, action);
            if (verdict != Verdict.ALLOWED) {
                throw auth.refusal(verdict, caller, Origins.of(request), repository, path, action);
            }
            return target;
        }

        void version() {
            Verdict verdict = auth.checkVersion(caller);
            if (verdict != Verdict.ALLOWED) {
                throw auth.refusal(verdict, caller, Origins.of(request), null, "use this registry");
            }
        }

        void catalog() {
            Verdict verdict = auth.checkCatalog(caller);
            if (verdict != Verdict.ALLOWED) {
                throw auth.refusal(verdict, caller, Origins.of(request), Scope.CATALOG, "list the catalog");
            }
        }

        boolean lists(String repository) {
            return auth.lists(caller, repository);
        }
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
