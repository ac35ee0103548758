package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Store sizing wishes; the namespace proxy has one store shared by all its repositories. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageHints {

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.SIZE)
    @JsonPropertyDescription("Minimum size of the shared store volume this repository needs, e.g. 50Gi. The volume only grows.")
    private String size;

    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
}
