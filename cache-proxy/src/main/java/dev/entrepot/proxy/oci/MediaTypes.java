package dev.entrepot.proxy.oci;

import java.util.List;
import java.util.Locale;

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

    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    private MediaTypes() {
    }

    /** An index of manifests (OCI index, Docker manifest list), as opposed to an image manifest. */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** A manifest type a registry stores: the four of {@link #MANIFESTS}. */
    public static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(mediaType);
    }

    /** {@code type/subtype} without parameters, lower-cased; null stays null. */
    public static String essence(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return type.isEmpty() ? null : type.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a client's {@code Accept} header admits {@code mediaType}. No header, or a wildcard, admits anything:
     * that is what registries do for clients that do not negotiate. As RFC 9110 says, types compare
     * case-insensitively, {@code type/*} only covers its own type, the most specific matching range decides,
     * and {@code q=0} means "not acceptable".
     */
    public static boolean accepts(String acceptHeader, String mediaType) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return true;
        }
        String wanted = mediaType.toLowerCase(Locale.ROOT);
        int bestSpecificity = 0;
        boolean acceptable = false;
        for (String part : acceptHeader.split(",")) {
            String[] params = part.split(";");
            String range = params[0].trim().toLowerCase(Locale.ROOT);
            int specificity;
            if (range.equals(wanted)) {
                specificity = 3;
            } else if (range.equals("*/*")) {
                specificity = 1;
            } else if (range.endsWith("/*") && wanted.startsWith(range.substring(0, range.length() - 1))) {
                specificity = 2;
            } else {
                continue;
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                acceptable = quality(params) > 0;
            }
        }
        return acceptable;
    }

    private static double quality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            if (p.length() > 2 && p.regionMatches(true, 0, "q=", 0, 2)) {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 1; // a malformed weight is ignored rather than refusing the client
                }
            }
        }
        return 1;
    }
}
