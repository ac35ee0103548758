package dev.entrepot.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password, from an {@code Authorization: Basic} header or a token request form. */
record BasicCredentials(String username, String password) {

    /** Null when the header is not Basic or is malformed (answered like a wrong password). */
    static BasicCredentials parse(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? null : new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "BasicCredentials[" + username + "]";
    }
}
