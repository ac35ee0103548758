package dev.entrepot.operator.plan;

/** Something the operator could not honour in a repository's spec, reported in its status. */
public record Problem(Category category, String reason, String message) {

    public enum Category {
        /** The spec itself is unusable (normally prevented by the CRD schema). */
        SPEC,
        /** A credentials or user Secret, or one of its keys, is missing or malformed. */
        CREDENTIALS,
        /** The namespace's TLS Secret is missing or malformed. */
        TLS,
        /** A virtual repository references something that cannot be an upstream. */
        RESOLUTION,
        /** Another repository already claims the name or a mirrorOf host. */
        CONFLICT
    }

    public static Problem of(Category category, String reason, String message) {
        return new Problem(category, reason, message);
    }
}
