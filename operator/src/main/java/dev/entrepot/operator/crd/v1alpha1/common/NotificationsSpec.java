package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a repository's image changes are announced: HTTP endpoints that receive CloudEvents. Rendered into
 * entrepot.yaml's notifications block, each endpoint limited to the repositories that declare it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.endpoints.all(e, self.endpoints.exists_one(f, f.name == e.name))",
        message = "each endpoint name may appear only once in notifications.endpoints")
public class NotificationsSpec {

    @Required
    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Endpoints that receive this repository's image change events.")
    private List<NotificationEndpoint> endpoints = new ArrayList<>();

    public NotificationsSpec() {
    }

    public NotificationsSpec(List<NotificationEndpoint> endpoints) {
        this.endpoints = endpoints;
    }

    public List<NotificationEndpoint> getEndpoints() { return endpoints; }
    public void setEndpoints(List<NotificationEndpoint> endpoints) { this.endpoints = endpoints; }
}
