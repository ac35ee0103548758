package dev.entrepot.operator.crd.v1alpha1.virtual;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;

/** Observed state of a VirtualRepository: conditions Ready and Resolved. */
public class VirtualRepositoryStatus extends ServingStatus {

    @JsonPropertyDescription("Always 'virtual'; shown in the MODE printer column.")
    private String mode;

    @JsonPropertyDescription("Upstreams as served, highest priority first, e.g. 'team(100), dockerhub(80)'.")
    private String upstreams;

    @JsonPropertyDescription("How many members are served; shown in the MEMBERS printer column.")
    private Integer members;

    public String getMode() { return mode; }
    public void setMode(String mode) { this.mode = mode; }
    public String getUpstreams() { return upstreams; }
    public void setUpstreams(String upstreams) { this.upstreams = upstreams; }
    public Integer getMembers() { return members; }
    public void setMembers(Integer members) { this.members = members; }
}
