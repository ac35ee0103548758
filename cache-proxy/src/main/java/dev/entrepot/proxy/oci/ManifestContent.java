package dev.entrepot.proxy.oci;

/** A manifest (or referrers index) exactly as stored: the bytes hash to {@code digest}. */
public record ManifestContent(Digest digest, String mediaType, byte[] bytes) {
    /** The largest manifest read, taken or stored: manifests are small metadata, never blobs. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
}
