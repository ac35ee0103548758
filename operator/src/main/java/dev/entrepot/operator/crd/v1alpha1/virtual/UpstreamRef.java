package dev.entrepot.operator.crd.v1alpha1.virtual;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Repository of the same namespace and its priority inside a VirtualRepository. */
public class UpstreamRef {

    @Required
    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Repository (remote or standard) in the same namespace.")
    private String repositoryRef;

    @Required
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("0 to 1000; higher is tried first, lower only serves what higher ones lack.")
    private Integer priority;

    public UpstreamRef() {
    }

    public UpstreamRef(String repositoryRef, int priority) {
        this.repositoryRef = repositoryRef;
        this.priority = priority;
    }

    public String getRepositoryRef() { return repositoryRef; }
    public void setRepositoryRef(String repositoryRef) { this.repositoryRef = repositoryRef; }
    public Integer getPriority() { return priority; }
    public void setPriority(Integer priority) { this.priority = priority; }
}
