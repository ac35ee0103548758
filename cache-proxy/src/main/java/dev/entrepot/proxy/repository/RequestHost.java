package dev.entrepot.proxy.repository;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * How the client of the request being served addressed the registry (its Host), for what the request causes deep
 * down — an image first cached names the registry as the client saw it. Kept in the request's own (duplicated)
 * Vert.x context, which work the request starts, blocking work included, runs on.
 */
public final class RequestHost {
    private static final String KEY = "entrepot.request.host";

    private RequestHost() {
    }

    public static void set(String host) {
        Context context = Vertx.currentContext();
        if (host != null && context != null && VertxContext.isDuplicatedContext(context)) {
            context.putLocal(KEY, host);
        }
    }

    /** Null outside a request (maintenance) or when the client sent no Host. */
    public static String current() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context) ? context.getLocal(KEY) : null;
    }
}
