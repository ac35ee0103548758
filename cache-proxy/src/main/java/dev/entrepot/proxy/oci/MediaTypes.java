package dev.entrepot.proxy.oci;

import java.util.List;

/** Manifest media types the proxy negotiates. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCTET_STREAM = "application/octet-stream";
    public static final String JSON = "application/json";

    /** What the proxy asks upstreams for, so one cached representation serves every modern client. */
    public static final List<String> MANIFESTS = List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);
    public static final String MANIFESTS_ACCEPT = String.join(", ", MANIFESTS);

    private MediaTypes() {
    }

    /**
     * Whether a client's {@code Accept} header admits {@code mediaType}. No header, or a wildcard, admits anything:
     * that is what registries do for clients that do not negotiate.
     */
    public static boolean accepts(String acceptHeader, String mediaType) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return true;
        }
        for (String part : acceptHeader.split(",")) {
            String type = part.split(";", 2)[0].trim();
            if (type.equals(mediaType) || type.equals("*/*") || type.equals("application/*")) {
                return true;
            }
        }
        return false;
    }
}
