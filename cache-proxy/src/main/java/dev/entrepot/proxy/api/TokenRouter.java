package dev.entrepot.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.auth.Caller;
import dev.entrepot.proxy.auth.ClientAuth;
import dev.entrepot.proxy.auth.Scope;
import dev.entrepot.proxy.auth.TokenIssuer;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.runtime.ProxyRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The token endpoint of the Docker/OCI token flow (on when {@code auth.token} is configured), both ways clients use
 * it: {@code GET /token?service=&scope=...} with Basic credentials or none (docker, skopeo, containerd's fallback;
 * {@code offline_token=true} adds a refresh token), and {@code POST /token} with an OAuth2 form ({@code grant_type}
 * {@code password} with {@code username}/{@code password}, or {@code refresh_token}; {@code access_type=offline} adds
 * a refresh token), as containerd tries first. {@code ?ns=} (put into the realm by mirror challenges) maps scopes
 * without a repository prefix as the mirror request itself was mapped.
 */
@ApplicationScoped
public class TokenRouter {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ProxyRuntime runtime;
    @Inject
    Vertx vertx;

    void register(@Observes Router router) {
        router.route("/token").handler(this::token);
    }

    private void token(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        try {
            ClientAuth auth = runtime.clientAuth();
            if (auth.tokens() == null) {
                throw new OciException(OciErrorCode.UNSUPPORTED, 404, "no token service here: auth.token is not "
                        + "configured (use Basic credentials)", Map.of());
            }
            if (request.method() == HttpMethod.GET) {
                respond(request, auth, auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION)),
                        request.params().getAll("scope"), "true".equalsIgnoreCase(request.getParam("offline_token")),
                        false);
            } else if (request.method() == HttpMethod.POST) {
                request.setExpectMultipart(true);
                request.endHandler(v -> {
                    try {
                        form(request, auth, request.formAttributes());
                    } catch (RuntimeException e) {
                        OciErrors.send(request, e);
                    }
                });
            } else {
                throw new OciException(OciErrorCode.UNSUPPORTED, "use GET or POST /token");
            }
        } catch (RuntimeException e) {
            OciErrors.send(request, e);
        }
    }

    private void form(HttpServerRequest request, ClientAuth auth, MultiMap form) {
        String grant = form.get("grant_type");
        Future<Caller> caller;
        if ("password".equals(grant)) {
            caller = auth.authenticate(form.get("username"), form.get("password"));
        } else if ("refresh_token".equals(grant)) {
            caller = Future.succeededFuture(auth.refresh(form.get("refresh_token")));
        } else {
            throw new OciException(OciErrorCode.UNSUPPORTED, 400, "grant_type must be password or refresh_token",
                    Map.of());
        }
        boolean offline = "offline".equals(form.get("access_type")) || "refresh_token".equals(grant);
        respond(request, auth, caller, form.getAll("scope"), offline, true);
    }

    private void respond(HttpServerRequest request, ClientAuth auth, Future<Caller> caller, List<String> scopes,
                         boolean offline, boolean oauth) {
        Context context = vertx.getOrCreateContext();
        caller.onComplete(ar -> context.runOnContext(v -> {
            try {
                if (ar.failed()) {
                    throw ar.cause() instanceof RuntimeException e ? e : new IllegalStateException(ar.cause());
                }
                if (auth.failed(ar.result())) {
                    throw ClientAuth.badTokenRequest();
                }
                TokenIssuer.Issued issued = auth.tokens().issue(ar.result(), Scope.parseAll(scopes),
                        repositoryOf(runtime.repositories(), request.getParam("ns")), offline);
                json(request, body(issued, oauth));
            } catch (RuntimeException e) {
                OciErrors.send(request, e);
            }
        }));
    }

    /** A scope's name routed as a request for it would be ({@code ns}: the mirror it came through). */
    private static Function<String, String> repositoryOf(Repositories repositories, String ns) {
        return name -> {
            try {
                return repositories.resolve(name, ns).repository().name();
            } catch (OciException e) {
                return null; // names nothing here: no access for it
            }
        };
    }

    private static Map<String, Object> body(TokenIssuer.Issued issued, boolean oauth) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.expiresIn().toSeconds());
        body.put("issued_at", issued.issuedAt().toString());
        if (oauth) {
            body.put("scope", issued.scope());
        }
        if (issued.refreshToken() != null) {
            body.put("refresh_token", issued.refreshToken());
        }
        return body;
    }

    private static void json(HttpServerRequest request, Object body) {
        try {
            Buffer bytes = Buffer.buffer(JSON.writeValueAsBytes(body));
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length())).end(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
