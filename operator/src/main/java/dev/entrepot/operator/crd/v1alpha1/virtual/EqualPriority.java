package dev.entrepot.operator.crd.v1alpha1.virtual;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the proxy asks the members of one priority of a VirtualRepository. */
public enum EqualPriority {
    /** All at once; the first that has the artifact answers. */
    @JsonProperty("fastest")
    FASTEST,
    /** One after the other, in the order spec.upstreams lists them. */
    @JsonProperty("ordered")
    ORDERED;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
