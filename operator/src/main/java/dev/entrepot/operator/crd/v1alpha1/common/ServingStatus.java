package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Status fields shared by every kind of repository the namespace proxy serves. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServingStatus {

    @JsonPropertyDescription("Latest observations of the repository's state: Ready, plus UpstreamReachable or Resolved,"
            + " and NodeMirror for mirrored hosts.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation the operator last acted on.")
    private Long observedGeneration;

    @JsonPropertyDescription("In-cluster pull prefix, e.g. entrepot.<namespace>.svc:5000/<name>.")
    private String url;

    @JsonPropertyDescription("Base URL of the namespace's proxy, http:// or https:// (with entrepot.operator.proxy.tls-secret"
            + " set), e.g. https://entrepot.<namespace>.svc:5000: what clients and hosts.toml files name.")
    private String endpoint;

    @JsonPropertyDescription("What the repository holds, as the proxy counts it (images, versions, tags, bytes);"
            + " refreshed every entrepot.operator.proxy.counts.refresh (5m). Absent until the proxy was asked.")
    private Usage usage;

    @JsonPropertyDescription("Registry hosts (mirrorOf) whose pulls every node's containerd sends through this"
            + " repository, when the node mirror runs in this namespace; see the NodeMirror condition.")
    private List<String> mirroredHosts;

    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public Usage getUsage() { return usage; }
    public void setUsage(Usage usage) { this.usage = usage; }
    public List<String> getMirroredHosts() { return mirroredHosts; }
    public void setMirroredHosts(List<String> mirroredHosts) { this.mirroredHosts = mirroredHosts; }
}
