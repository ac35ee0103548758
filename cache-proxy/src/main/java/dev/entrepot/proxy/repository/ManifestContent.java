package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;

/** A manifest (or referrers index) exactly as stored: the bytes hash to {@code digest}. */
public record ManifestContent(Digest digest, String mediaType, byte[] bytes) {
}
