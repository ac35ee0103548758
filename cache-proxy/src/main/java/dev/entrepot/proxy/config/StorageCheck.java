package dev.entrepot.proxy.config;

import dev.entrepot.proxy.config.EntrepotConfig.S3Storage;
import dev.entrepot.proxy.config.EntrepotConfig.Storage;
import dev.entrepot.proxy.config.EntrepotConfig.StorageType;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Validation of {@code storage.type} and {@code storage.s3}, after defaults: one problem line per mistake. */
final class StorageCheck {
    /** S3's bucket naming rules (the DNS-compatible ones, which virtual-hosted addressing needs). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final long MIN_PART = 5L << 20;
    private static final long MAX_PART = 5L << 30;
    /** The longest a SigV4 pre-signed URL may be valid. */
    private static final Duration MAX_REDIRECT_TTL = Duration.ofDays(7);

    private StorageCheck() {
    }

    static void check(Storage storage, List<String> problems) {
        S3Storage s3 = storage.s3();
        if (storage.type() == StorageType.S3 && s3 == null) {
            problems.add("storage.s3: required with storage.type: s3 (at least the bucket)");
            return;
        }
        if (s3 == null) {
            return;
        }
        if (storage.type() != StorageType.S3) {
            problems.add("storage.s3: only used with storage.type: s3 (set it, or remove the block)");
        }
        if (s3.bucket() == null || !BUCKET.matcher(s3.bucket()).matches() || s3.bucket().contains("..")) {
            problems.add("storage.s3.bucket: required, 3 to 63 lowercase letters, digits, '.' and '-', starting and "
                    + "ending with a letter or digit (got " + s3.bucket() + ")");
        }
        if (s3.endpoint() != null && (!s3.endpoint().isAbsolute() || s3.endpoint().getHost() == null
                || !List.of("http", "https").contains(s3.endpoint().getScheme()))) {
            problems.add("storage.s3.endpoint: must be an http:// or https:// URL with a host (got " + s3.endpoint()
                    + ")");
        }
        if (s3.prefix().startsWith("/") || s3.prefix().contains("//")) {
            problems.add("storage.s3.prefix: must not start with '/' or contain '//' (got " + s3.prefix() + ")");
        }
        if ((s3.accessKeyIdFile() == null) != (s3.secretAccessKeyFile() == null)) {
            problems.add("storage.s3: accessKeyIdFile and secretAccessKeyFile go together");
        }
        if (s3.accessKeyIdFile() != null && s3.credentialsFile() != null) {
            problems.add("storage.s3: either the key files or credentialsFile, not both");
        }
        long part = s3.partSize().bytes();
        if (part < MIN_PART || part > MAX_PART) {
            problems.add("storage.s3.partSize: must be between 5Mi and 5Gi, S3's part limits (got "
                    + s3.partSize().text() + ")");
        }
        if (s3.localCacheSize().bytes() <= 0) {
            problems.add("storage.s3.localCacheSize: must be positive");
        }
        if (s3.redirectTtl().compareTo(Duration.ofSeconds(1)) < 0 || s3.redirectTtl().compareTo(MAX_REDIRECT_TTL) > 0) {
            problems.add("storage.s3.redirectTtl: must be between 1s and 168h, the longest a pre-signed URL may be "
                    + "valid (got " + GoDuration.format(s3.redirectTtl()) + ")");
        }
    }
}
