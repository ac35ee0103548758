package dev.entrepot.operator.crd.v1alpha1.virtual;

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

/** Desired state of a VirtualRepository; mirrors a `mode: virtual` entry of entrepot.yaml. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.pushTo) || self.upstreams.exists(u, u.repositoryRef == self.pushTo)",
        message = "spec.pushTo must name one of spec.upstreams")
@ValidationRule(value = "self.upstreams.all(u, self.upstreams.exists_one(v, v.repositoryRef == u.repositoryRef))",
        message = "each repository may appear only once in spec.upstreams")
public class VirtualRepositorySpec {

    @Required
    @Size(min = 1, max = Limits.LIST)
    @JsonPropertyDescription("Repositories of this namespace to resolve from; higher priority wins, equal priorities share.")
    private List<UpstreamRef> upstreams = new ArrayList<>();

    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Standard repository (one of the upstreams) that receives pushes to this virtual repository.")
    private String pushTo;

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Registry hosts (e.g. docker.io) whose containerd mirror requests (?ns=<host>) this repository answers.")
    private List<@Size(max = Limits.HOST) @Pattern(Patterns.REGISTRY_HOST) String> mirrorOf = new ArrayList<>();

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long the proxy remembers which member answered a tag (and with which digest), e.g. 5s;"
            + " a push or delete in a hosted member forgets it at once. The proxy's default (5s) when absent.")
    private String resolutionTtl;

    @Size(max = Limits.MODE)
    @JsonPropertyDescription("How members of one priority are asked: fastest (all at once, the first that has it"
            + " answers; the proxy's default) or ordered (in the order listed).")
    private EqualPriority equalPriority;

    @JsonPropertyDescription("Who may pull and push: anonymous pulls, users from basic-auth Secrets, ServiceAccounts."
            + " Absent: pulls as the operator setting entrepot.operator.proxy.anonymous-pull says, no users.")
    private AccessSpec access;

    @JsonPropertyDescription("HTTP endpoints that receive the image changes of this repository's served upstreams"
            + " (pushes through it land in its pushTo repository) as CloudEvents; events name the upstream"
            + " repository. Absent: none.")
    private NotificationsSpec notifications;

    public List<UpstreamRef> getUpstreams() { return upstreams; }
    public void setUpstreams(List<UpstreamRef> upstreams) { this.upstreams = upstreams; }
    public String getPushTo() { return pushTo; }
    public void setPushTo(String pushTo) { this.pushTo = pushTo; }
    public List<String> getMirrorOf() { return mirrorOf; }
    public void setMirrorOf(List<String> mirrorOf) { this.mirrorOf = mirrorOf; }
    public String getResolutionTtl() { return resolutionTtl; }
    public void setResolutionTtl(String resolutionTtl) { this.resolutionTtl = resolutionTtl; }
    public EqualPriority getEqualPriority() { return equalPriority; }
    public void setEqualPriority(EqualPriority equalPriority) { this.equalPriority = equalPriority; }
    public AccessSpec getAccess() { return access; }
    public void setAccess(AccessSpec access) { this.access = access; }
    public NotificationsSpec getNotifications() { return notifications; }
    public void setNotifications(NotificationsSpec notifications) { this.notifications = notifications; }
}
