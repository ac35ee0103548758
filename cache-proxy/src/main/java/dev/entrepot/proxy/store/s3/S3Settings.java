package dev.entrepot.proxy.store.s3;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where and how to reach the object store. {@code endpoint} null means AWS itself (the region's endpoint);
 * credentials from the two files when both are given, else the SDK's default chain (environment variables
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, web identity, profile, instance metadata).
 *
 * @param prefix      key prefix every object of this proxy goes under ("" or ending in '/'), so one bucket can hold
 *                    several installations
 * @param pathStyle   {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key} (MinIO, Ceph, s3proxy)
 * @param partSize    bytes per multipart part (at least 5 MiB, S3's minimum): blobs larger than this go up in parts
 *                    while they arrive, smaller ones in one PUT after their digest is verified
 */
public record S3Settings(String bucket, URI endpoint, String region, String prefix, boolean pathStyle,
                         Path accessKeyIdFile, Path secretAccessKeyFile, long partSize) {
    public static final long MIN_PART_SIZE = 5L << 20;
    public static final long DEFAULT_PART_SIZE = 16L << 20;

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("storage.s3.bucket is required");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix)
                : prefix + "/";
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("storage.s3.prefix must not start with '/': " + prefix);
        }
        if (partSize == 0) {
            partSize = DEFAULT_PART_SIZE;
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("storage.s3.partSize must be at least 5Mi (S3's smallest part), not "
                    + partSize);
        }
        if ((accessKeyIdFile == null) != (secretAccessKeyFile == null)) {
            throw new IllegalArgumentException("storage.s3 needs both accessKeyIdFile and secretAccessKeyFile, or neither");
        }
    }

    /** The same store under another prefix (tests, or several proxies in one bucket). */
    public S3Settings withPrefix(String newPrefix) {
        return new S3Settings(bucket, endpoint, region, newPrefix, pathStyle, accessKeyIdFile, secretAccessKeyFile,
                partSize);
    }
}
