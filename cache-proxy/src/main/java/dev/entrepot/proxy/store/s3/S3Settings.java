package dev.entrepot.proxy.store.s3;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where and how to reach the object store. {@code endpoint} null means AWS itself (the region's endpoint).
 * Credentials: the two key files when given (a mounted Secret), else the profile of {@code credentialsFile} (an AWS
 * credentials file), else the SDK's default chain (environment variables {@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}, web identity, {@code ~/.aws/credentials}, instance metadata).
 *
 * @param prefix      key prefix every object of this proxy goes under ("" or ending in '/'), so one bucket can hold
 *                    several installations
 * @param pathStyle   {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key} (MinIO, Ceph, s3proxy)
 * @param profile     the profile of {@code credentialsFile} ({@code default} when null)
 * @param partSize    bytes per multipart part (at least 5 MiB, S3's minimum): blobs larger than this go up in parts
 *                    while they arrive, smaller ones in one PUT after their digest is verified; 0 for the default
 */
public record S3Settings(String bucket, URI endpoint, String region, String prefix, boolean pathStyle,
                         Path accessKeyIdFile, Path secretAccessKeyFile, Path credentialsFile, String profile,
                         long partSize) {
    public static final long MIN_PART_SIZE = 5L << 20;
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final String DEFAULT_REGION = "us-east-1";

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("storage.s3.bucket is required");
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
        prefix = prefix == null ? "" : prefix;
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("storage.s3.prefix must not start with '/': " + prefix);
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        profile = profile == null || profile.isBlank() ? "default" : profile;
        if (partSize == 0) {
            partSize = DEFAULT_PART_SIZE;
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("storage.s3.partSize must be at least 5Mi (S3's smallest part), not "
                    + partSize);
        }
        if ((accessKeyIdFile == null) != (secretAccessKeyFile == null)) {
            throw new IllegalArgumentException(
                    "storage.s3 needs both accessKeyIdFile and secretAccessKeyFile, or neither");
        }
        if (accessKeyIdFile != null && credentialsFile != null) {
            throw new IllegalArgumentException(
                    "storage.s3: give the key files or credentialsFile, not both");
        }
    }

    /** The same store under another prefix (tests, or several proxies in one bucket). */
    public S3Settings withPrefix(String newPrefix) {
        return new S3Settings(bucket, endpoint, region, newPrefix, pathStyle, accessKeyIdFile, secretAccessKeyFile,
                credentialsFile, profile, partSize);
    }
}
