package dev.entrepot.operator.render;

/**
 * What the proxy Deployment's shape depends on besides the operator settings: the namespace's store.
 *
 * @param replicas how many proxy pods run
 * @param scratchSize null: storage.path is the PersistentVolumeClaim; else an emptyDir of at most this size (each
 *                    replica its own: cached content, local copies of hosted blobs, upload staging)
 * @param storeRevision changes whenever the proxy must restart to use its store as configured (the proxy reads
 *                      storage.type, storage.s3 and the bucket's key files at start only)
 */
public record ProxyWorkload(int replicas, String scratchSize, String storeRevision) {

    /** The filesystem store's revision: hosted content on the claim. */
    public static final String FILESYSTEM = "filesystem";

    /** One pod on the claim, hosted content on it: the filesystem store. */
    public static ProxyWorkload filesystem() {
        return new ProxyWorkload(1, null, FILESYSTEM);
    }

    /** Whether storage.path is the PersistentVolumeClaim (else each pod's own emptyDir). */
    public boolean onClaim() {
        return scratchSize == null;
    }

    /** More than one pod: rolling updates that never go below the count, a disruption budget, client affinity. */
    public boolean scaledOut() {
        return replicas > 1;
    }
}
