package dev.entrepot.proxy.oci;


/** A manifest (or referrers index) exactly as stored: the bytes hash to {@code digest}. */
public record ManifestContent(Digest digest, String mediaType, byte[] bytes) {
}
