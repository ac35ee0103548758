package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A status condition in the shape kubectl and Kubernetes tooling understand. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"})
public class Condition {

    @JsonPropertyDescription("Condition type: Ready, UpstreamReachable (remote repositories), Resolved (virtual repositories)"
            + " or NodeMirror (repositories whose mirrorOf hosts the nodes pull through).")
    private String type;

    @JsonPropertyDescription("True, False or Unknown.")
    private String status;

    @JsonPropertyDescription("Machine-readable reason for the last transition, in CamelCase.")
    private String reason;

    @JsonPropertyDescription("Human-readable explanation of the condition.")
    private String message;

    @JsonPropertyDescription("When the condition last changed status (RFC 3339).")
    private String lastTransitionTime;

    @JsonPropertyDescription("The metadata.generation this condition was computed for.")
    private Long observedGeneration;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
    }

    public String getType() { return type; }
    public void setType(String type) { this.type = type; }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public String getReason() { return reason; }
    public void setReason(String reason) { this.reason = reason; }
    public String getMessage() { return message; }
    public void setMessage(String message) { this.message = message; }
    public String getLastTransitionTime() { return lastTransitionTime; }
    public void setLastTransitionTime(String lastTransitionTime) { this.lastTransitionTime = lastTransitionTime; }
    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
}
