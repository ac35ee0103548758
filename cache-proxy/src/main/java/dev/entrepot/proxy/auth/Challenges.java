package dev.entrepot.proxy.auth;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code WWW-Authenticate} header of a 401: {@code Basic realm="entrepot"} without the token flow; with it
 * {@code Bearer realm="<proxy>/token",service="<service>",scope="<scope>"} (and {@code error=} when a token was
 * presented), the realm taken from the request unless {@code auth.token.realm} names it.
 */
final class Challenges {
    static final Map<String, String> BASIC = Map.of("WWW-Authenticate", "Basic realm=\"entrepot\"");

    private final String service;
    private final URI realm;

    /** @param service null: Basic challenges */
    Challenges(String service, URI realm) {
        this.service = service;
        this.realm = realm;
    }

    static Challenges basic() {
        return new Challenges(null, null);
    }

    boolean bearer() {
        return service != null;
    }

    /**
     * @param scope null for none (the version check)
     * @param error null, {@code invalid_token} or {@code insufficient_scope}
     */
    Map<String, String> header(Origin origin, Scope scope, String error) {
        if (service == null) {
            return BASIC;
        }
        String url = realm != null ? realm.toString() : origin.base() + "/token";
        if (origin.ns() != null && !origin.ns().isBlank()) {
            url += (url.contains("?") ? "&" : "?") + "ns=" + URLEncoder.encode(origin.ns(), StandardCharsets.UTF_8);
        }
        StringBuilder value = new StringBuilder("Bearer realm=\"").append(url).append("\",service=\"")
                .append(service).append('"');
        String text = scope == null ? null : scope.toString();
        if (text != null && quotable(text)) {
            value.append(",scope=\"").append(text).append('"');
        }
        if (error != null) {
            value.append(",error=\"").append(error).append('"');
        }
        return Map.of("WWW-Authenticate", value.toString());
    }

    /** Names come from the request path: one that would break out of the quotes is left out of the header. */
    private static boolean quotable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
