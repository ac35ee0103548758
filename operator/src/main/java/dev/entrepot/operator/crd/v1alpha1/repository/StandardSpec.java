package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Settings of a hosted (standard) Repository. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandardSpec {

    @JsonPropertyDescription("When true, a pushed tag keeps its digest: pushing another digest to it, deleting it"
            + " or deleting a tagged manifest is refused.")
    private Boolean immutableTags;

    @JsonPropertyDescription("Deletes old untagged versions before each garbage collection; absent: nothing is deleted"
            + " but what clients delete.")
    private CleanupPolicy cleanup;

    public Boolean getImmutableTags() { return immutableTags; }
    public void setImmutableTags(Boolean immutableTags) { this.immutableTags = immutableTags; }
    public CleanupPolicy getCleanup() { return cleanup; }
    public void setCleanup(CleanupPolicy cleanup) { this.cleanup = cleanup; }
}
