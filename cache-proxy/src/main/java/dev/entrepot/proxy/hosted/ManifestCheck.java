package dev.entrepot.proxy.hosted;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.entrepot.proxy.hosted.ParsedManifest.Descriptor;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a pushed manifest before anything keeps it: JSON, schema version 2, one of the four manifest types (the
 * request's Content-Type and the body's {@code mediaType} must agree when both are given), well-formed
 * descriptors. What it refers to is checked against the store by the caller.
 */
final class ManifestCheck {
    /** The spec asks registries to accept at least 4 MB; more is refused with 413. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ManifestCheck() {
    }

    static ParsedManifest parse(byte[] body, String contentType) {
        if (body.length > MAX_BYTES) {
            throw new OciException(OciErrorCode.MANIFEST_INVALID, 413, "manifest is " + body.length
                    + " bytes; at most " + MAX_BYTES + " are accepted", Map.of());
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }
        if (root.path("schemaVersion").asInt(-1) != 2) {
            throw invalid("only schemaVersion 2 manifests are accepted");
        }
        String declared = root.hasNonNull("mediaType") ? textOf(root, "mediaType") : null;
        String header = MediaTypes.essence(contentType);
        if (declared != null && header != null && !header.equals(declared) && !isVague(header)) {
            throw invalid("Content-Type " + header + " does not match the manifest's mediaType " + declared);
        }
        String type = declared != null ? declared : header != null && !isVague(header) ? header
                : root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        if (!MediaTypes.isManifest(type)) {
            throw invalid("unsupported manifest media type " + type + "; accepted: "
                    + String.join(", ", MediaTypes.MANIFESTS));
        }
        return read(root, type);
    }

    /** A manifest already stored (validated when pushed), for the collector and deletes. */
    static ParsedManifest stored(byte[] bytes, String mediaType) {
        try {
            return read(JSON.readTree(bytes), mediaType);
        } catch (IOException e) {
            throw new IllegalStateException("stored manifest is not JSON: " + e.getMessage(), e);
        }
    }

    private static ParsedManifest read(JsonNode root, String type) {
        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> children = new ArrayList<>();
        String configType = null;
        if (MediaTypes.isIndex(type)) {
            JsonNode manifests = root.path("manifests");
            if (!manifests.isArray()) {
                throw invalid("an index needs a manifests array");
            }
            for (int i = 0; i < manifests.size(); i++) {
                children.add(descriptor(manifests.get(i), "manifests[" + i + "]"));
            }
        } else {
            if (!root.path("config").isObject()) {
                throw invalid("an image manifest needs a config descriptor");
            }
            Descriptor config = descriptor(root.get("config"), "config");
            configType = config.mediaType();
            blobs.add(config);
            JsonNode layers = root.path("layers");
            if (!layers.isMissingNode() && !layers.isNull() && !layers.isArray()) {
                throw invalid("layers must be an array");
            }
            for (int i = 0; i < layers.size(); i++) {
                blobs.add(descriptor(layers.get(i), "layers[" + i + "]"));
            }
        }
        Descriptor subject = root.hasNonNull("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = root.hasNonNull("artifactType") ? textOf(root, "artifactType") : configType;
        ObjectNode annotations = root.path("annotations").isObject() ? (ObjectNode) root.get("annotations") : null;
        return new ParsedManifest(type, List.copyOf(blobs), List.copyOf(children), subject, artifactType, annotations);
    }

    private static Descriptor descriptor(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw invalid(at + " must be a descriptor object");
        }
        Digest digest;
        try {
            digest = Digest.parse(node.path("digest").asText(null));
        } catch (OciException e) {
            throw invalid(at + ".digest: " + e.getMessage());
        }
        JsonNode size = node.path("size");
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw invalid(at + ".size must be a non-negative integer");
        }
        String mediaType = node.path("mediaType").isTextual() ? node.get("mediaType").asText() : null;
        if (mediaType == null || mediaType.isBlank()) {
            throw invalid(at + ".mediaType is required");
        }
        boolean external = node.path("urls").isArray() && node.get("urls").size() > 0 && isNonDistributable(mediaType);
        return new Descriptor(digest, size.asLong(), mediaType, external);
    }

    private static boolean isNonDistributable(String mediaType) {
        return mediaType.startsWith("application/vnd.oci.image.layer.nondistributable.")
                || mediaType.equals("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    }

    private static boolean isVague(String header) {
        return header.equals(MediaTypes.JSON) || header.equals(MediaTypes.OCTET_STREAM);
    }

    private static String textOf(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw invalid(field + " must be a non-empty string");
        }
        return value.asText();
    }

    private static OciException invalid(String message) {
        return new OciException(OciErrorCode.MANIFEST_INVALID, message);
    }
}
