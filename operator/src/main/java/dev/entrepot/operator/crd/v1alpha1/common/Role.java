package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** What a user or ServiceAccount may do in a repository. */
public enum Role {
    /** Pull. */
    @JsonProperty("reader")
    READER,
    /** Pull, push and delete. */
    @JsonProperty("writer")
    WRITER;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
