package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** ServiceAccounts of one namespace (one, or all of them) and the role they get. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceAccountGrant {

    @Size(max = Limits.NAME)
    @Pattern(Patterns.NAMESPACE)
    @JsonPropertyDescription("Namespace of the ServiceAccount. Absent: the repository's own namespace.")
    private String namespace;

    @Size(max = Limits.NAME)
    @Pattern(Patterns.SERVICE_ACCOUNT_NAME)
    @JsonPropertyDescription("Name of the ServiceAccount, or * for every ServiceAccount of the namespace. Absent: *.")
    private String name;

    @Required
    @JsonPropertyDescription("reader: pull; writer: pull, push and delete.")
    private Role role;

    public ServiceAccountGrant() {
    }

    public ServiceAccountGrant(String namespace, String name, Role role) {
        this.namespace = namespace;
        this.name = name;
        this.role = role;
    }

    public String getNamespace() { return namespace; }
    public void setNamespace(String namespace) { this.namespace = namespace; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Role getRole() { return role; }
    public void setRole(Role role) { this.role = role; }
}
