package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Store wishes; the namespace proxy has one store shared by all its repositories. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageHints {

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.SIZE)
    @JsonPropertyDescription("Minimum size of the shared store volume this repository needs, e.g. 50Gi. The volume only grows.")
    private String size;

    @JsonPropertyDescription("Keep the namespace's hosted content in this S3-compatible bucket instead of on the volume"
            + " (which then holds cached content and local copies only), so the proxy can run several replicas."
            + " Every Repository of the namespace that sets it must set the same; those that do not follow it.")
    private S3StorageSpec s3;

    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public S3StorageSpec getS3() { return s3; }
    public void setS3(S3StorageSpec s3) { this.s3 = s3; }
}
