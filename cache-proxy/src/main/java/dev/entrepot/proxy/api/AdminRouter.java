package dev.entrepot.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.auth.ClientAuth;
import dev.entrepot.proxy.auth.Scope;
import dev.entrepot.proxy.auth.Verdict;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.runtime.HostedMaintenance;
import dev.entrepot.proxy.runtime.ProxyRuntime;
import dev.entrepot.proxy.runtime.UpstreamStatuses;
import dev.entrepot.proxy.upstream.UpstreamHealth;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin API beside {@code /v2/}: {@code POST /api/v1/gc[?dryRun=true]} runs the cleanup policies and a garbage
 * collection now and answers what they removed. Needs Basic credentials of a writer of every repository (a user
 * whose writer grant names no repositories) unless the proxy is open (no users, no ServiceAccount auth).
 * {@code GET /api/v1/upstreams[?probe=true]} answers each remote repository's upstream status, as the fetches saw it
 * (or after one {@code GET /v2/} each with {@code probe=true}), to whoever may pull from the repository.
 */
@ApplicationScoped
public class AdminRouter {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ProxyRuntime runtime;
    @Inject
    HostedMaintenance maintenance;
    @Inject
    Vertx vertx;

    void register(@Observes Router router) {
        router.route("/api/v1/gc").handler(this::gc);
        router.route("/api/v1/upstreams").handler(this::upstreams);
    }

    private void upstreams(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            OciErrors.send(request, new OciException(OciErrorCode.UNSUPPORTED, "use GET /api/v1/upstreams"));
            return;
        }
        boolean probe = Boolean.parseBoolean(request.getParam("probe"));
        ClientAuth auth = runtime.clientAuth();
        Context context = vertx.getOrCreateContext();
        auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION)).compose(caller -> {
            // like the catalog: anyone may ask, the answer holds only the repositories the caller may pull
            Verdict verdict = auth.checkCatalog(caller);
            if (verdict != Verdict.ALLOWED) {
                throw auth.refusal(verdict, caller, Origins.of(request), Scope.CATALOG, "list upstreams");
            }
            List<Future<Map<String, Object>>> rows = new ArrayList<>();
            for (UpstreamStatuses.Entry entry : runtime.upstreams()) {
                if (auth.lists(caller, entry.repository())) {
                    Future<UpstreamHealth.Report> report = probe ? entry.probe()
                            : Future.succeededFuture(entry.health().report());
                    rows.add(report.map(r -> row(entry.repository(), r)));
                }
            }
            return Future.all(rows).map(done -> rows.stream().map(Future::result).toList());
        }).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
            } else {
                json(request, Map.of("upstreams", ar.result()));
            }
        }));
    }

    private static Map<String, Object> row(String repository, UpstreamHealth.Report report) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("repository", repository);
        row.put("url", report.url().toString());
        row.put("host", report.url().getHost() + (report.url().getPort() > 0 ? ":" + report.url().getPort() : ""));
        row.put("state", report.state().name().toLowerCase(Locale.ROOT));
        row.put("lastSuccess", report.lastSuccess() == null ? null : report.lastSuccess().toString());
        row.put("lastFailure", report.lastFailure() == null ? null : report.lastFailure().toString());
        row.put("lastFailureCause", report.lastFailureCause());
        return row;
    }

    private void gc(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() != HttpMethod.POST) {
            OciErrors.send(request, new OciException(OciErrorCode.UNSUPPORTED, "use POST /api/v1/gc"));
            return;
        }
        ClientAuth auth = runtime.clientAuth();
        Context context = vertx.getOrCreateContext();
        auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION)).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
                return;
            }
            Verdict verdict = auth.checkMaintenance(ar.result());
            if (verdict != Verdict.ALLOWED) {
                OciErrors.send(request, auth.maintenanceRefusal(verdict, ar.result()));
                return;
            }
            collect(request, Boolean.parseBoolean(request.getParam("dryRun")), context);
        }));
    }

    private void collect(HttpServerRequest request, boolean dryRun, Context context) {
        vertx.executeBlocking(() -> maintenance.run(dryRun), false).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause() instanceof OciException ? ar.cause()
                        : new OciException(OciErrorCode.UNKNOWN, "garbage collection failed: " + ar.cause().getMessage()));
                return;
            }
            if (ar.result().gc() == null) {
                OciErrors.send(request, new OciException(OciErrorCode.UNAVAILABLE, 409,
                        "a garbage collection is already running (here or in a replica sharing the bucket); try again when it is done", Map.of()));
                return;
            }
            json(request, report(ar.result()));
        }));
    }

    private static Map<String, Object> report(HostedMaintenance.Report report) {
        Map<String, Object> gc = new LinkedHashMap<>();
        gc.put("dryRun", report.gc().dryRun());
        gc.put("manifestsMarked", report.gc().manifests());
        gc.put("blobLinksRemoved", report.gc().linksRemoved());
        gc.put("blobsRemoved", report.gc().blobsRemoved());
        gc.put("bytesRemoved", report.gc().bytesRemoved());
        gc.put("removed", report.gc().removedBlobs());
        gc.put("tookMillis", report.gc().took().toMillis());
        List<Map<String, Object>> cleanups = report.cleanup().stream().map(c -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", c.repository());
            entry.put("dryRun", c.dryRun());
            entry.put("deleted", c.deleted());
            return entry;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cleanup", cleanups);
        body.put("gc", gc);
        return body;
    }

    private static void json(HttpServerRequest request, Object body) {
        try {
            Buffer bytes = Buffer.buffer(JSON.writeValueAsBytes(body));
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length())).end(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
