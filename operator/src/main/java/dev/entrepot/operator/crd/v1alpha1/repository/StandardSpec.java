package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Settings of a hosted (standard) Repository. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandardSpec {

    @JsonPropertyDescription("When true, a pushed tag can never be moved to another digest.")
    private Boolean immutableTags;

    public Boolean getImmutableTags() { return immutableTags; }
    public void setImmutableTags(Boolean immutableTags) { this.immutableTags = immutableTags; }
}
