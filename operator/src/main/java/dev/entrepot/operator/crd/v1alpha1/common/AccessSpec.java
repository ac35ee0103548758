package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may pull from and push to one repository: anonymous pulls, users from basic-auth Secrets, and
 * Kubernetes ServiceAccounts (their tokens as passwords). Rendered into entrepot.yaml's auth block.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessSpec {

    @JsonPropertyDescription("Whether anyone who reaches the proxy may pull from this repository without credentials."
            + " Absent: the operator setting entrepot.operator.proxy.anonymous-pull (default true).")
    private Boolean anonymousPull;

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Users who may pull: each a Secret of type kubernetes.io/basic-auth (keys username and"
            + " password; the password may be a bcrypt hash) in the repository's namespace.")
    private List<UserSecretRef> readers = new ArrayList<>();

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Users who may pull, push and delete (standard repositories; for a VirtualRepository,"
            + " pushes also need writer access to its pushTo repository). Secrets as for readers.")
    private List<UserSecretRef> writers = new ArrayList<>();

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Kubernetes ServiceAccounts whose tokens are accepted as passwords (checked with the"
            + " TokenReview API), with the role each gets.")
    private List<ServiceAccountGrant> serviceAccounts = new ArrayList<>();

    public Boolean getAnonymousPull() { return anonymousPull; }
    public void setAnonymousPull(Boolean anonymousPull) { this.anonymousPull = anonymousPull; }
    public List<UserSecretRef> getReaders() { return readers; }
    public void setReaders(List<UserSecretRef> readers) { this.readers = readers; }
    public List<UserSecretRef> getWriters() { return writers; }
    public void setWriters(List<UserSecretRef> writers) { this.writers = writers; }
    public List<ServiceAccountGrant> getServiceAccounts() { return serviceAccounts; }
    public void setServiceAccounts(List<ServiceAccountGrant> serviceAccounts) { this.serviceAccounts = serviceAccounts; }
}
