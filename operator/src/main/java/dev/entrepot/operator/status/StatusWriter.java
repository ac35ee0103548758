package dev.entrepot.operator.status;

import java.net.HttpURLConnection;
import java.util.Objects;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Writes a status only when it differs from the one in the cache, so a steady state makes no
 * API calls. Uses the cached resourceVersion: a concurrent change fails with a conflict, and that
 * change's own watch event reconciles the namespace again with fresh data, so a conflict (or a
 * repository deleted meanwhile) is an expected outcome, not an error.
 */
public final class StatusWriter {

    private static final Logger LOG = Logger.getLogger(StatusWriter.class);

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
        try {
            client.resource(copy).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
            LOG.debugf("status of %s %s/%s not written (%d): it changed or went since it was read", cached.getKind(),
                    cached.getMetadata().getNamespace(), cached.getMetadata().getName(), e.getCode());
            return false;
        }
    }
}
