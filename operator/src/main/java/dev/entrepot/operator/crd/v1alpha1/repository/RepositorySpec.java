package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.entrepot.operator.crd.v1alpha1.common.AccessSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationsSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Desired state of a Repository; mirrors a `repositories[]` entry of entrepot.yaml. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode == 'remote' ? has(self.remote) : !has(self.remote)",
        message = "spec.remote is required when mode is remote and forbidden otherwise")
@ValidationRule(value = "!has(self.standard) || self.mode == 'standard'",
        message = "spec.standard is only allowed when mode is standard")
public class RepositorySpec {

    @Required
    @Size(max = Limits.MODE)
    @JsonPropertyDescription("remote: pull-through cache of an upstream registry; standard: hosted repository that accepts pushes.")
    private RepositoryMode mode;

    @JsonPropertyDescription("Upstream registry settings; required when mode is remote.")
    private RemoteSpec remote;

    @JsonPropertyDescription("Hosted repository settings; only for mode standard.")
    private StandardSpec standard;

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Registry hosts (e.g. docker.io) whose containerd mirror requests (?ns=<host>) this repository answers.")
    private List<@Size(max = Limits.HOST) @Pattern(Patterns.REGISTRY_HOST) String> mirrorOf = new ArrayList<>();

    @JsonPropertyDescription("The namespace proxy's store, shared by all its repositories: the largest size hint of the"
            + " namespace wins; spec.storage.s3 puts hosted content in a bucket.")
    private StorageHints storage;

    @JsonPropertyDescription("Who may pull and push: anonymous pulls, users from basic-auth Secrets, ServiceAccounts."
            + " Absent: pulls as the operator setting entrepot.operator.proxy.anonymous-pull says, no users.")
    private AccessSpec access;

    @JsonPropertyDescription("HTTP endpoints that receive this repository's image changes (pushes, tag moves, deletes;"
            + " for a remote repository optionally manifests first cached) as CloudEvents. Absent: none.")
    private NotificationsSpec notifications;

    public RepositoryMode getMode() { return mode; }
    public void setMode(RepositoryMode mode) { this.mode = mode; }
    public RemoteSpec getRemote() { return remote; }
    public void setRemote(RemoteSpec remote) { this.remote = remote; }
    public StandardSpec getStandard() { return standard; }
    public void setStandard(StandardSpec standard) { this.standard = standard; }
    public List<String> getMirrorOf() { return mirrorOf; }
    public void setMirrorOf(List<String> mirrorOf) { this.mirrorOf = mirrorOf; }
    public StorageHints getStorage() { return storage; }
    public void setStorage(StorageHints storage) { this.storage = storage; }
    public AccessSpec getAccess() { return access; }
    public void setAccess(AccessSpec access) { this.access = access; }
    public NotificationsSpec getNotifications() { return notifications; }
    public void setNotifications(NotificationsSpec notifications) { this.notifications = notifications; }
}
