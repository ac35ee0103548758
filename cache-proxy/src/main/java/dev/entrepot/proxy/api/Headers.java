package dev.entrepot.proxy.api;

import io.vertx.core.http.HttpHeaders;

/**
 * The registry's own header names, made once as Netty {@code AsciiString}s (like Vert.x's {@link HttpHeaders}): a
 * response then neither hashes nor checks them again character by character.
 */
final class Headers {
    static final CharSequence DOCKER_CONTENT_DIGEST = HttpHeaders.createOptimized("Docker-Content-Digest");
    static final CharSequence API_VERSION = HttpHeaders.createOptimized("Docker-Distribution-API-Version");
    static final CharSequence REGISTRY_2_0 = HttpHeaders.createOptimized("registry/2.0");

    private Headers() {
    }
}
