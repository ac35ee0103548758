package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a Repository gets its content. */
public enum RepositoryMode {
    /** Pull-through cache of an upstream registry. */
    @JsonProperty("remote")
    REMOTE,
    /** Hosted: content is pushed to the proxy. */
    @JsonProperty("standard")
    STANDARD;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
