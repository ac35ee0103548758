package dev.entrepot.proxy.api;

import dev.entrepot.proxy.auth.Origin;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/** Where a request came in, as the client addressed the proxy (for the challenge's token realm). */
final class Origins {
    private Origins() {
    }

    static Origin of(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        String host;
        if (authority != null && !authority.host().isEmpty()) {
            host = authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
        } else {
            SocketAddress local = request.localAddress();
            String address = local.hostAddress();
            host = (address.contains(":") ? "[" + address + "]" : address) + ":" + local.port();
        }
        return new Origin(request.scheme() + "://" + host, request.getParam("ns"));
    }
}
