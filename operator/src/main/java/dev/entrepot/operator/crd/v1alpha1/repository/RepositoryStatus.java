package dev.entrepot.operator.crd.v1alpha1.repository;

import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;

/** Observed state of a Repository: conditions Ready and (remote only) UpstreamReachable. */
public class RepositoryStatus extends ServingStatus {
}
