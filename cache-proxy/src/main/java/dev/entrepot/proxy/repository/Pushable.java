package dev.entrepot.proxy.repository;

/** The push side of a repository that accepts writes: blob uploads and manifest writes. */
public interface Pushable {

    BlobUploads uploads();

    ManifestWriter manifests();
}
