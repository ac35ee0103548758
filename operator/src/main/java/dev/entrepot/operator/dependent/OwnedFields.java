package dev.entrepot.operator.dependent;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Compares only the fields the operator renders. The API server and controllers add fields to
 * every object (defaults such as a probe's successThreshold or a Service's clusterIP, controller
 * annotations), so the actual object holds more than the desired one: each field of the desired
 * object must be present in the actual one with the same value, anything else is ignored. Lists
 * must have the same length, so a removed container, port or volume is noticed. Resource
 * quantities compare by amount, as the server rewrites them in canonical form (0.25 becomes 250m).
 */
final class OwnedFields {

    /** Top-level fields that are not content: the server owns them or they are compared elsewhere. */
    private static final Set<String> NOT_CONTENT = Set.of("apiVersion", "kind", "metadata", "status");
    private static final Set<String> QUANTITY_MAPS = Set.of("requests", "limits");

    private OwnedFields() {
    }

    /** Whether {@code actual} holds every label, annotation and content field of {@code desired}. */
    static boolean match(JsonNode desired, JsonNode actual) {
        for (String meta : new String[] {"labels", "annotations"}) {
            if (!contains(desired.path("metadata").path(meta), actual.path("metadata").path(meta), meta)) {
                return false;
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = desired.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!NOT_CONTENT.contains(field.getKey())
                    && !contains(field.getValue(), actual.path(field.getKey()), field.getKey())) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(JsonNode desired, JsonNode actual, String name) {
        if (desired.isMissingNode() || desired.isNull()) {
            return true;
        }
        if (desired.isContainerNode() && desired.isEmpty() && (actual.isMissingNode() || actual.isNull())) {
            return true; // Go's omitempty drops an empty map or list the operator sent.
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = desired.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode actualValue = actual.path(field.getKey());
                boolean equal = QUANTITY_MAPS.contains(name) && field.getValue().isTextual() && actualValue.isTextual()
                        ? sameQuantity(field.getValue().asText(), actualValue.asText())
                        : contains(field.getValue(), actualValue, field.getKey());
                if (!equal) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!contains(desired.get(i), actual.get(i), name)) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && actual.isNumber()) {
            return desired.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return desired.equals(actual);
    }

    private static boolean sameQuantity(String desired, String actual) {
        if (desired.equals(actual)) {
            return true;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(desired))
                    .compareTo(Quantity.getAmountInBytes(new Quantity(actual))) == 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
