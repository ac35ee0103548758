package dev.entrepot.e2e.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;

/**
 * What s3proxy serves from, counting the calls it makes for the proxies' requests, by operation and by the area of
 * the key: {@code GET hosted-blob} is one object GET of a hosted blob ({@code hosted/blobs/...}),
 * {@code GET cache-blob} one of a shared pull-through blob ({@code cache/blobs/...}), {@code GET metadata} one of
 * anything else (links, manifests, tags, claims); {@code GET-absent ...} one that found nothing. So a benchmark can
 * say how many bucket requests one client request cost.
 */
final class BucketCounter extends ForwardingBlobStore {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    BucketCounter(BlobStore backend) {
        super(backend);
    }

    /** A copy of the counters now, e.g. {@code "GET hosted-blob" -> 12}. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** {@code after - before} for one counter. */
    static long delta(Map<String, Long> before, Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    /** Every call between two snapshots, whatever its kind. */
    static long total(Map<String, Long> before, Map<String, Long> after) {
        return after.values().stream().mapToLong(Long::longValue).sum()
                - before.values().stream().mapToLong(Long::longValue).sum();
    }

    private void count(String operation, String key) {
        String area = key == null ? "metadata" : key.startsWith("hosted/blobs/") ? "hosted-blob"
                : key.startsWith("cache/blobs/") ? "cache-blob" : "metadata";
        counts.computeIfAbsent(operation + " " + area, k -> new LongAdder()).increment();
    }

    @Override
    public Blob getBlob(String container, String name) {
        return counted(name, super.getBlob(container, name));
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        return counted(name, super.getBlob(container, name, options));
    }

    /** A GET that found nothing (a 404, e.g. a replica polling for a blob another one fetches) apart. */
    private Blob counted(String name, Blob blob) {
        count(blob == null ? "GET-absent" : "GET", name);
        return blob;
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        count("HEAD", name);
        return super.blobMetadata(container, name);
    }

    @Override
    public boolean blobExists(String container, String name) {
        count("HEAD", name);
        return super.blobExists(container, name);
    }

    @Override
    public String putBlob(String container, Blob blob) {
        count("PUT", blob.getMetadata().getName());
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        count("PUT", blob.getMetadata().getName());
        return super.putBlob(container, blob, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload upload, int partNumber, Payload payload) {
        count("PUT-part", upload.blobName());
        return super.uploadMultipartPart(upload, partNumber, payload);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        count("PUT", upload.blobName());
        return super.completeMultipartUpload(upload, parts);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        count("LIST", options == null ? null : options.getPrefix());
        return super.list(container, options);
    }

    @Override
    public void removeBlob(String container, String name) {
        count("DELETE", name);
        super.removeBlob(container, name);
    }
}
