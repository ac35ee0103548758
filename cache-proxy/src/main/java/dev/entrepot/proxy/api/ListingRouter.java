package dev.entrepot.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.auth.Action;
import dev.entrepot.proxy.auth.Caller;
import dev.entrepot.proxy.auth.ClientAuth;
import dev.entrepot.proxy.auth.Scope;
import dev.entrepot.proxy.auth.Verdict;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.ImageVersion;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.runtime.ProxyRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Listings beside {@code /v2/}, as {@code gcloud artifacts docker images list} gives them:
 * {@code GET /api/v1/repositories} (each repository the caller may pull, with counts) and
 * {@code GET /api/v1/repositories/<repo>/images[?image=<name>][&includeTags=true][&n=&last=][&format=table]} (every
 * version with digest, size and times; JSON, or an aligned table for {@code format=table} or {@code Accept: text/plain}).
 */
@ApplicationScoped
public class ListingRouter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_PAGE = 1000;

    @Inject
    ProxyRuntime runtime;
    @Inject
    Vertx vertx;

    void register(@Observes Router router) {
        router.route("/api/v1/repositories").handler(this::repositories);
        router.routeWithRegex("/api/v1/repositories/([^/]+)/images").handler(this::images);
    }

    private void repositories(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Context context = vertx.getOrCreateContext();
        try {
            only(request);
        } catch (OciException e) {
            OciErrors.send(request, e);
            return;
        }
        ClientAuth auth = runtime.clientAuth();
        caller(request, auth).compose(caller -> {
            // like the catalog: anyone may ask, the answer holds only what the caller may pull
            Verdict verdict = auth.checkCatalog(caller);
            if (verdict != Verdict.ALLOWED) {
                throw auth.refusal(verdict, caller, Origins.of(request), Scope.CATALOG, "list repositories");
            }
            List<Future<Map<String, Object>>> rows = new ArrayList<>();
            for (EntrepotConfig.Repository spec : runtime.config().repositories()) {
                Repository repository = runtime.repositories().named(spec.name());
                if (repository != null && auth.lists(caller, spec.name())) {
                    rows.add(summary(spec, repository));
                }
            }
            return Future.all(rows).map(done -> rows.stream().map(Future::result).toList());
        }).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
            } else {
                json(request, Map.of("repositories", ar.result()), null);
            }
        }));
    }

    private static Future<Caller> caller(HttpServerRequest request, ClientAuth auth) {
        return auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    private static Future<Map<String, Object>> summary(EntrepotConfig.Repository spec, Repository repository) {
        return allVersions(repository, null).map(versions -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", spec.name());
            row.put("mode", spec.mode().name().toLowerCase());
            row.put("images", versions.stream().map(v -> v.repository() + "/" + v.image()).distinct().count());
            row.put("versions", versions.size());
            row.put("tags", versions.stream().mapToInt(v -> v.tags().size()).sum());
            row.put("bytes", versions.stream().mapToLong(v -> Math.max(0, v.size())).sum());
            return row;
        });
    }

    private void images(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Context context = vertx.getOrCreateContext();
        try {
            only(request);
            String name = ctx.pathParam("param0");
            Repository repository = runtime.repositories().named(name);
            if (repository == null) {
                throw new OciException(OciErrorCode.NAME_UNKNOWN, "no repository named '" + name + "'");
            }
            String image = request.getParam("image");
            ImageName imageName = image == null ? null : new ImageName(image);
            boolean includeTags = Boolean.parseBoolean(request.getParam("includeTags"));
            int n = pageSize(request.getParam("n"));
            String last = request.getParam("last");
            ClientAuth auth = runtime.clientAuth();
            caller(request, auth).compose(caller -> {
                if (!auth.lists(caller, name)) {
                    Verdict verdict = caller.subject().anonymous() ? Verdict.CHALLENGE : Verdict.DENIED;
                    throw auth.refusal(verdict, caller, Origins.of(request), name, image == null ? name : name + "/"
                            + image, Action.PULL);
                }
                return allVersions(repository, imageName);
            }).onComplete(ar -> context.runOnContext(v -> {
                if (ar.failed()) {
                    OciErrors.send(request, ar.cause());
                    return;
                }
                List<ImageVersion> sorted = new ArrayList<>(ar.result());
                sorted.sort(Comparator.comparing((ImageVersion x) -> x.image().value())
                        .thenComparing(ImageVersion::created, Comparator.reverseOrder())
                        .thenComparing(x -> x.digest().toString()));
                int from = 0;
                if (last != null) {
                    for (int i = 0; i < sorted.size(); i++) {
                        if (token(sorted.get(i)).equals(last)) {
                            from = i + 1;
                        }
                    }
                }
                List<ImageVersion> page = sorted.subList(Math.min(from, sorted.size()), Math.min(from + n, sorted.size()));
                String link = from + n < sorted.size() && !page.isEmpty()
                        ? "</api/v1/repositories/" + name + "/images?" + query(image, includeTags, n, token(page.get(page.size() - 1)))
                        + ">; rel=\"next\"" : null;
                if (wantsTable(request)) {
                    text(request, ImageTable.render(host(request), page, includeTags), link);
                } else {
                    json(request, Map.of("images", page.stream().map(x -> row(x, includeTags)).toList()), link);
                }
            }));
        } catch (RuntimeException e) {
            OciErrors.send(request, e);
        }
    }

    /** Every version of one image, or of every image the repository holds. */
    private static Future<List<ImageVersion>> allVersions(Repository repository, ImageName image) {
        if (image != null) {
            return repository.versions(image);
        }
        return repository.catalog().compose(names -> {
            List<Future<List<ImageVersion>>> parts = names.stream().map(n -> repository.versions(new ImageName(n))).toList();
            return Future.all(parts).map(done -> {
                List<ImageVersion> all = new ArrayList<>();
                parts.forEach(p -> all.addAll(p.result()));
                return all;
            });
        });
    }

    private static Map<String, Object> row(ImageVersion v, boolean includeTags) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("repository", v.repository());
        row.put("image", v.image().value());
        row.put("digest", v.digest().toString());
        row.put("mediaType", v.mediaType());
        row.put("size", v.size());
        if (includeTags) {
            row.put("tags", v.tags());
        }
        row.put("createTime", v.created().toString());
        row.put("updateTime", v.updated().toString());
        if (v.lastPulled() != null) {
            row.put("lastPulledTime", v.lastPulled().toString());
        }
        return row;
    }

    private static String token(ImageVersion v) {
        return v.image().value() + "@" + v.digest();
    }

    private static String query(String image, boolean includeTags, int n, String last) {
        return (image == null ? "" : "image=" + URLEncoder.encode(image, StandardCharsets.UTF_8) + "&")
                + (includeTags ? "includeTags=true&" : "") + "n=" + n + "&last=" + URLEncoder.encode(last,
                StandardCharsets.UTF_8);
    }

    private static int pageSize(String n) {
        if (n == null || n.isEmpty()) {
            return DEFAULT_PAGE;
        }
        try {
            int value = Integer.parseInt(n);
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new OciException(OciErrorCode.PAGINATION_NUMBER_INVALID, "n must be a positive integer, got '" + n + "'");
        }
    }

    private static boolean wantsTable(HttpServerRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return "table".equals(request.getParam("format")) || accept != null && accept.startsWith("text/plain");
    }

    private static String host(HttpServerRequest request) {
        String host = request.getHeader(HttpHeaders.HOST);
        return host == null ? "" : host + "/";
    }

    private static void only(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            throw new OciException(OciErrorCode.UNSUPPORTED, request.method() + " is not supported on listings");
        }
    }

    private static void json(HttpServerRequest request, Object body, String link) {
        try {
            send(request, Buffer.buffer(JSON.writeValueAsBytes(body)), "application/json", link);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void text(HttpServerRequest request, String body, String link) {
        send(request, Buffer.buffer(body, "UTF-8"), "text/plain; charset=utf-8", link);
    }

    private static void send(HttpServerRequest request, Buffer body, String type, String link) {
        var response = request.response().putHeader(HttpHeaders.CONTENT_TYPE, type)
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        if (link != null) {
            response.putHeader("Link", link);
        }
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(body);
        }
    }
}
