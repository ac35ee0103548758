package dev.entrepot.proxy.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.upstream.UpstreamClient;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks a manifest from upstream before anything keeps it: digest verified, media type known. */
final class ManifestBytes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> VAGUE_TYPES = Set.of("application/json", "text/plain", MediaTypes.OCTET_STREAM);

    private ManifestBytes() {
    }

    /**
     * The verified manifest. By digest, the bytes must hash to the requested digest; by tag, to the upstream's
     * {@code Docker-Content-Digest} when it sends one (the digest clients will ask for next).
     */
    static ManifestContent verify(UpstreamClient.Manifest fetched, Reference reference) {
        byte[] bytes = fetched.bytes();
        Digest digest;
        if (reference instanceof Reference.ByDigest byDigest) {
            digest = byDigest.digest();
        } else {
            digest = headerDigest(fetched.digestHeader()).orElseGet(() -> Digest.sha256(bytes));
        }
        if (!digest.matches(digest.newHasher().digest(bytes))) {
            throw new OciException(OciErrorCode.DIGEST_INVALID, 502, "upstream sent a manifest for " + reference
                    + " that does not match digest " + digest + "; nothing was cached", Map.of());
        }
        return new ManifestContent(digest, mediaType(fetched.mediaType(), bytes), bytes);
    }

    private static Optional<Digest> headerDigest(String header) {
        if (header == null || !Digest.looksLikeDigest(header.trim())) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(header.trim()));
        } catch (OciException e) {
            return Optional.empty(); // an odd header: our own sha256 is still a correct address
        }
    }

    /** The upstream's Content-Type, or the manifest's own {@code mediaType} field when the header is vague. */
    static String mediaType(String header, byte[] bytes) {
        if (header != null && !header.isBlank() && !VAGUE_TYPES.contains(header)) {
            return header;
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root != null && root.path("mediaType").isTextual()) {
                return root.get("mediaType").asText();
            }
            if (root != null && root.has("manifests")) {
                return MediaTypes.OCI_INDEX;
            }
            return MediaTypes.OCI_MANIFEST;
        } catch (IOException e) {
            throw new OciException(OciErrorCode.MANIFEST_INVALID, 502, "upstream sent a manifest that is not JSON",
                    Map.of());
        }
    }
}
