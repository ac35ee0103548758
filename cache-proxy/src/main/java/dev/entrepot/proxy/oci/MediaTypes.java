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
        return accepts(acceptHeader == null ? List.of() : List.of(acceptHeader), mediaType);
    }

    /**
     * The same over every {@code Accept} header of a request (docker sends one per type), as if they were one list.
     * It scans in place, without splitting or lower-casing copies: it runs on every manifest hit.
     */
    public static boolean accepts(List<String> acceptHeaders, String mediaType) {
        int slash = mediaType.indexOf('/');
        int bestSpecificity = 0;
        boolean acceptable = false;
        boolean any = false;
        for (String header : acceptHeaders) {
            int length = header.length();
            int start = 0;
            while (start <= length) {
                int comma = header.indexOf(',', start);
                int end = comma < 0 ? length : comma;
                int semicolon = header.indexOf(';', start);
                int rangeEnd = semicolon < 0 || semicolon > end ? end : semicolon;
                int from = skipSpace(header, start, rangeEnd);
                int to = trimSpace(header, from, rangeEnd);
                if (to > from) {
                    any = true;
                    int specificity = specificity(header, from, to, mediaType, slash);
                    if (specificity > bestSpecificity) {
                        bestSpecificity = specificity;
                        acceptable = quality(header, rangeEnd, end) > 0;
                    }
                }
                start = end + 1;
            }
        }
        return !any && blank(acceptHeaders) || acceptable;
    }

    /** 3 the type itself, 2 {@code type/*}, 1 {@code *}{@code /*}, 0 another type. */
    private static int specificity(String header, int from, int to, String wanted, int slash) {
        int length = to - from;
        if (length == wanted.length() && header.regionMatches(true, from, wanted, 0, length)) {
            return 3;
        }
        if (length == 3 && header.startsWith("*/*", from)) {
            return 1;
        }
        if (slash > 0 && length == slash + 2 && header.charAt(to - 1) == '*' && header.charAt(to - 2) == '/'
                && header.regionMatches(true, from, wanted, 0, slash + 1)) {
            return 2;
        }
        return 0;
    }

    /** The {@code q} parameter among {@code header[from, to)} ({@code ;q=0.5;...}); 1 when absent or malformed. */
    private static double quality(String header, int from, int to) {
        int start = from;
        while (start < to) {
            int semicolon = header.indexOf(';', start + 1);
            int end = semicolon < 0 || semicolon > to ? to : semicolon;
            int p = skipSpace(header, start + 1, end);
            int pEnd = trimSpace(header, p, end);
            if (pEnd - p > 2 && header.regionMatches(true, p, "q=", 0, 2)) {
                try {
                    return Double.parseDouble(header.substring(p + 2, pEnd).trim());
                } catch (NumberFormatException e) {
                    return 1; // a malformed weight is ignored rather than refusing the client
                }
            }
            start = end;
        }
        return 1;
    }

    private static boolean blank(List<String> headers) {
        for (String header : headers) {
            if (!header.isBlank()) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimSpace(String s, int from, int to) {
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }
}
