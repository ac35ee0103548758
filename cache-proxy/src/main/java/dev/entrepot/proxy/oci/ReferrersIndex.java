package dev.entrepot.proxy.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The referrers API's answer: an OCI image index of descriptors, optionally filtered by {@code artifactType}. */
public final class ReferrersIndex {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferrersIndex() {
    }

    /** An index of {@code descriptors} (each a JSON object), keeping only {@code artifactType} when it is given. */
    public static ManifestContent of(List<? extends JsonNode> descriptors, String artifactType) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (JsonNode d : descriptors) {
            if (artifactType == null || artifactType.equals(d.path("artifactType").asText(null))) {
                manifests.add(d);
            }
        }
        try {
            byte[] bytes = JSON.writeValueAsBytes(index);
            return new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_INDEX, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The descriptors of an index someone else built (an upstream's answer, a referrers tag), for {@link #of}. */
    public static List<JsonNode> descriptors(byte[] index) {
        try {
            JsonNode root = JSON.readTree(index);
            List<JsonNode> found = new ArrayList<>();
            if (root != null) {
                root.path("manifests").forEach(found::add);
            }
            return found;
        } catch (IOException e) {
            throw new OciException(OciErrorCode.MANIFEST_INVALID, "referrers index is not JSON: " + e.getMessage());
        }
    }
}
