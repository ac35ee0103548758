package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Artifact Registry-style cleanup of a hosted Repository; the proxy runs it before each garbage collection. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CleanupPolicy {

    @Default("true")
    @JsonPropertyDescription("When true (the default), the proxy only logs what the policy would delete; false deletes.")
    private Boolean dryRun = true;

    @Min(0)
    @Max(Integer.MAX_VALUE) // beyond int, neither operator nor proxy could read the object
    @JsonPropertyDescription("Per image, this many newest versions are kept whatever their age. Default 0.")
    private Integer keepRecent;

    @Required
    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Untagged versions older than this are deleted, e.g. 168h; tagged ones never are."
            + " Required: it is the rule that deletes, keepRecent only protects.")
    private String deleteUntaggedOlderThan;

    public Boolean getDryRun() { return dryRun; }
    public void setDryRun(Boolean dryRun) { this.dryRun = dryRun; }
    public Integer getKeepRecent() { return keepRecent; }
    public void setKeepRecent(Integer keepRecent) { this.keepRecent = keepRecent; }
    public String getDeleteUntaggedOlderThan() { return deleteUntaggedOlderThan; }
    public void setDeleteUntaggedOlderThan(String deleteUntaggedOlderThan) { this.deleteUntaggedOlderThan = deleteUntaggedOlderThan; }
}
