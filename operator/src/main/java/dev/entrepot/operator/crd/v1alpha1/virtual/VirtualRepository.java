package dev.entrepot.operator.crd.v1alpha1.virtual;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One pull address over several Repositories of the namespace, resolved by priority. */
@Group("entrepot.dev")
@Version("v1alpha1")
@ShortNames("vrepo")
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".status.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MEMBERS", jsonPath = ".status.members", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "UPSTREAMS", jsonPath = ".status.upstreams", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IMAGES", jsonPath = ".status.usage.images", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "SIZE", jsonPath = ".status.usage.size", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class VirtualRepository extends CustomResource<VirtualRepositorySpec, VirtualRepositoryStatus>
        implements Namespaced {
}
