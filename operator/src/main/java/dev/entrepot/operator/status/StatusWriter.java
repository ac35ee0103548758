package dev.entrepot.operator.status;

import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Writes a status only when it differs from the one in the cache, so a steady state makes no
 * API calls. Uses the cached resourceVersion: a concurrent change fails with a conflict and the
 * namespace is reconciled again with fresh data.
 */
public final class StatusWriter {

    private StatusWriter() {
    }

    /** @return true when a write was made */
    public static <S, R extends CustomResource<?, S>> boolean write(KubernetesClient client, R cached, S status) {
        KubernetesSerialization serialization = client.getKubernetesSerialization();
        JsonNode before = serialization.convertValue(cached.getStatus(), JsonNode.class);
        JsonNode after = serialization.convertValue(status, JsonNode.class);
        if (Objects.equals(before, after)) {
            return false;
        }
        R copy = serialization.clone(cached);
        copy.setStatus(status);
        client.resource(copy).updateStatus();
        return true;
    }
}
