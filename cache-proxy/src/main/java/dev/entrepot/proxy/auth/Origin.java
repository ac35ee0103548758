package dev.entrepot.proxy.auth;

/**
 * Where a refused request came in, for the challenge's realm: {@code base} is {@code scheme://host[:port]} as the
 * client addressed the proxy; {@code ns} the containerd mirror parameter, passed on to the token endpoint so it
 * maps scopes without a repository prefix as the request was mapped.
 */
public record Origin(String base, String ns) {
}
