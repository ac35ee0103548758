package dev.entrepot.operator.crd.v1alpha1.repository;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A remote (pull-through) or standard (hosted) repository served by the namespace's proxy. */
@Group("entrepot.dev")
@Version("v1alpha1")
@ShortNames("erepo")
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "UPSTREAM", jsonPath = ".spec.remote.url", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IMAGES", jsonPath = ".status.usage.images", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "SIZE", jsonPath = ".status.usage.size", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Repository extends CustomResource<RepositorySpec, RepositoryStatus> implements Namespaced {
}
