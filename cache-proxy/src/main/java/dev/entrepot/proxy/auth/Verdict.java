package dev.entrepot.proxy.auth;

/** What {@link ClientAuth#check} decided; everything but ALLOWED becomes an error through {@link ClientAuth#refusal}. */
public enum Verdict {
    ALLOWED,
    /** No or wrong credentials: 401 with a challenge. */
    CHALLENGE,
    /** A valid token that does not cover the request, for a subject that may do it: 401, get another token. */
    INSUFFICIENT_SCOPE,
    /** Valid credentials of someone who may not: 403 DENIED. */
    DENIED
}
