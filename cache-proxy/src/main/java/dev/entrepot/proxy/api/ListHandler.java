package dev.entrepot.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pages;
import dev.entrepot.proxy.repository.Repository;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code tags/list}, {@code _catalog} (paginated with {@code n}/{@code last} and {@code Link}) and referrers. */
final class ListHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;

    ListHandler(Vertx vertx) {
        this.vertx = vertx;
    }

    /** @param path the name as the client wrote it, echoed in the answer and in {@code Link} */
    void tags(HttpServerRequest request, Repository repository, ImageName name, String path) {
        Context context = vertx.getOrCreateContext();
        Integer n = pageSize(request);
        String last = request.getParam("last");
        repository.tags(name, n, last).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request.response(), request.method(), ar.cause());
                return;
            }
            Page page = ar.result();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", path);
            body.put("tags", page.items());
            String link = page.more() && !page.items().isEmpty()
                    ? next("/v2/" + path + "/tags/list", n, page.items().get(page.items().size() - 1)) : null;
            json(request, body, link);
        }));
    }

    /** @param repositories those the caller may pull from: the catalog names nothing else */
    void catalog(HttpServerRequest request, Collection<Repository> repositories) {
        Context context = vertx.getOrCreateContext();
        Integer n = pageSize(request);
        String last = request.getParam("last");
        List<Future<List<String>>> parts = new ArrayList<>();
        List<Repository> all = new ArrayList<>(repositories);
        all.sort((a, b) -> a.name().compareTo(b.name()));
        for (Repository repository : all) {
            parts.add(repository.catalog().map(names -> names.stream().map(nm -> repository.name() + "/" + nm).toList()));
        }
        Future.all(parts).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request.response(), request.method(), ar.cause());
                return;
            }
            List<String> names = new ArrayList<>();
            parts.forEach(p -> names.addAll(p.result()));
            names.sort(String::compareTo);
            Page page = Pages.page(names, n, last);
            String link = page.more() && !page.items().isEmpty()
                    ? next("/v2/_catalog", n, page.items().get(page.items().size() - 1)) : null;
            json(request, Map.of("repositories", page.items()), link);
        }));
    }

    void referrers(HttpServerRequest request, Repository repository, ImageName name, Digest subject) {
        Context context = vertx.getOrCreateContext();
        String artifactType = request.getParam("artifactType");
        repository.referrers(name, subject, artifactType).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request.response(), request.method(), ar.cause());
                return;
            }
            HttpServerResponse response = request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, ar.result().mediaType())
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(ar.result().bytes().length));
            if (artifactType != null) {
                response.putHeader("OCI-Filters-Applied", "artifactType"); // every repository kind filters
            }
            if (request.method() == HttpMethod.HEAD) {
                response.end();
            } else {
                response.end(Buffer.buffer(ar.result().bytes()));
            }
        }));
    }

    private static Integer pageSize(HttpServerRequest request) {
        String n = request.getParam("n");
        if (n == null || n.isEmpty()) {
            return null;
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new OciException(OciErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer, got '"
                    + n + "'");
        }
    }

    private static String next(String path, Integer n, String last) {
        return "<" + path + "?" + (n == null ? "" : "n=" + n + "&") + "last="
                + URLEncoder.encode(last, StandardCharsets.UTF_8) + ">; rel=\"next\"";
    }

    private static void json(HttpServerRequest request, Object body, String link) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpServerResponse response = request.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length));
        if (link != null) {
            response.putHeader("Link", link);
        }
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(Buffer.buffer(bytes));
        }
    }
}
