package dev.entrepot.proxy.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The objects of one proxy in one bucket: every key given here is relative to the configured prefix. A thin,
 * blocking layer over the SDK that speaks in the terms the stores need (text, files, create-if-absent, listings)
 * and turns SDK failures into {@link IOException}s. S3 is strongly consistent for reads after writes and for
 * listings, which is what lets several replicas share one bucket without caching metadata.
 */
public final class Bucket implements AutoCloseable {
    /** Part uploads run in parallel with reads and metadata calls: more than the SDK's default of 50 is not needed. */
    private static final int MAX_CONNECTIONS = 64;

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;
    private final long partSize;

    Bucket(S3Client s3, S3Presigner presigner, String bucket, String prefix, long partSize) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.prefix = prefix;
        this.partSize = partSize;
    }

    /** A client for the settings: custom endpoint, path-style or virtual-hosted addressing, region, credentials. */
    public static Bucket connect(S3Settings settings) throws IOException {
        return connect(settings, SystemDefaultDnsResolver.INSTANCE);
    }

    /** Like {@link #connect(S3Settings)}, resolving host names with {@code dns} (tests: {@code bucket.localhost}). */
    static Bucket connect(S3Settings settings, DnsResolver dns) throws IOException {
        AwsCredentialsProvider credentials = credentials(settings);
        S3Configuration config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS).dnsResolver(dns))
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(config)
                // Trailing CRC checksums are AWS's newest default; S3-compatible stores (MinIO, Ceph, s3proxy)
                // do not all accept them. Content is verified by digest anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
                .serviceConfiguration(config);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
            presign.endpointOverride(settings.endpoint());
        }
        return new Bucket(builder.build(), presign.build(), settings.bucket(), settings.prefix(), settings.partSize());
    }

    /**
     * The key pair from its two files (a mounted Secret), else the profile of an AWS credentials file, else the
     * SDK's default chain (environment variables, web identity, {@code ~/.aws/credentials}, instance metadata).
     */
    private static AwsCredentialsProvider credentials(S3Settings settings) throws IOException {
        if (settings.accessKeyIdFile() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    Files.readString(settings.accessKeyIdFile()).strip(),
                    Files.readString(settings.secretAccessKeyFile()).strip()));
        }
        if (settings.credentialsFile() != null) {
            if (!Files.isReadable(settings.credentialsFile())) {
                throw new IOException("storage.s3.credentialsFile " + settings.credentialsFile() + " is not readable");
            }
            ProfileFile file = ProfileFile.builder().content(settings.credentialsFile())
                    .type(ProfileFile.Type.CREDENTIALS).build();
            return ProfileCredentialsProvider.builder().profileFile(file).profileName(settings.profile()).build();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    public String name() {
        return bucket;
    }

    /** The full key of a relative one, as it appears in the bucket. */
    public String fullKey(String key) {
        return prefix + key;
    }

    long partSize() {
        return partSize;
    }

    boolean sameBucketAs(Bucket other) {
        return other.s3 == s3 || other.bucket.equals(bucket) && other.s3.serviceClientConfiguration().endpointOverride()
                .equals(s3.serviceClientConfiguration().endpointOverride());
    }

    // ---- small objects ----------------------------------------------------------------------------------------

    public Optional<byte[]> read(String key, int maxBytes) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(fullKey(key)))) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                in.abort();
                throw new IOException("object " + key + " is " + length + " bytes, more than " + maxBytes);
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("object " + key + " is more than " + maxBytes + " bytes");
            }
            return Optional.of(bytes);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("reading", key, e);
        }
    }

    public Optional<String> readText(String key) throws IOException {
        return read(key, 1 << 20).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public void write(String key, byte[] content) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(fullKey(key)).contentLength((long) content.length),
                    RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("writing", key, e);
        }
    }

    public void writeText(String key, String content) throws IOException {
        write(key, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Creates the object only if the key is free, atomically on the server ({@code If-None-Match: *}): of many
     * writers, replicas included, exactly one gets true. A store that ignores the header would break this
     * guarantee; AWS S3, MinIO, Ceph RGW, R2 and GCS honour it.
     */
    public boolean create(String key, byte[] content) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                s3.putObject(b -> b.bucket(bucket).key(fullKey(key)).ifNoneMatch("*")
                        .contentLength((long) content.length), RequestBody.fromBytes(content));
                return true;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    return false;
                }
                if (e.statusCode() == 409 && attempt < 3) {
                    continue; // ConditionalRequestConflict: a concurrent write or delete of the key; S3 says retry
                }
                throw failure("creating", key, e);
            } catch (SdkException e) {
                throw failure("creating", key, e);
            }
        }
    }

    /** The object's size, or empty when there is none. */
    public Optional<Long> size(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(fullKey(key))).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("looking up", key, e);
        } catch (SdkException e) {
            throw failure("looking up", key, e);
        }
    }

    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(fullKey(key)));
        } catch (SdkException e) {
            throw failure("deleting", key, e);
        }
    }

    // ---- listings ---------------------------------------------------------------------------------------------

    /** One listed object: its key relative to the prefix. */
    public record Listed(String key, long size, Instant lastModified) {
    }

    /** Every object whose key starts with {@code under}, in key order (all pages). */
    public List<Listed> list(String under) throws IOException {
        List<Listed> found = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(fullKey(under)).build();
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                for (S3Object o : page.contents()) {
                    if (o.key().endsWith("/")) {
                        continue; // a directory marker (consoles, some S3-compatible stores): not an object of ours
                    }
                    found.add(new Listed(o.key().substring(prefix.length()), o.size(), o.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw failure("listing", under, e);
        }
        return found;
    }

    /** The next path segments under {@code under} (which ends in '/'), like a directory listing; sorted. */
    public List<String> children(String under) throws IOException {
        List<String> found = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(fullKey(under))
                    .delimiter("/").build();
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                for (CommonPrefix p : page.commonPrefixes()) {
                    String child = p.prefix().substring(fullKey(under).length());
                    found.add(child.endsWith("/") ? child.substring(0, child.length() - 1) : child);
                }
            }
        } catch (SdkException e) {
            throw failure("listing", under, e);
        }
        return found.stream().sorted().toList();
    }

    // ---- large objects: streamed ------------------------------------------------------------------------------

    /**
     * An object's bytes being read: {@code length} of them come. Closing the stream before its end aborts the
     * request (the rest of the body is not drained); at the end, or after, it gives the connection back.
     */
    public record Read(InputStream stream, long length) {
    }

    /** Streams the object (or {@code length} bytes of it from {@code offset}; -1 for the rest); empty when absent. */
    public Optional<Read> open(String key, long offset, long length) throws IOException {
        try {
            String range = offset == 0 && length < 0 ? null
                    : "bytes=" + offset + "-" + (length < 0 ? "" : Long.toString(offset + length - 1));
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(fullKey(key))
                    .range(range));
            Long announced = in.response().contentLength();
            return Optional.of(new Read(new BucketStreams.AbortingInputStream(in), announced == null ? -1 : announced));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("reading", key, e);
        }
    }

    /** Uploads {@code length} bytes of the file from {@code offset} as one object, streamed from disk. */
    public void upload(String key, Path file, long offset, long length) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(fullKey(key)).contentLength(length), BucketStreams.fileRegion(file, offset, length));
        } catch (SdkException e) {
            throw failure("uploading", key, e);
        }
    }

    /**
     * Uploads a whole file as one object: one PUT up to a part's size, else parallel parts on {@code parts}, each read
     * from disk as it is sent (memory stays bounded). A failed upload is aborted and leaves nothing visible.
     */
    public void uploadFile(String key, Path file, long size, Executor parts) throws IOException {
        long part = Math.max(partSize, (size + S3BlobWriter.MAX_PARTS - 1) / S3BlobWriter.MAX_PARTS);
        if (size <= part) {
            upload(key, file, 0, size);
            return;
        }
        String uploadId = startMultipart(key);
        List<CompletableFuture<CompletedPart>> pending = new ArrayList<>();
        try {
            int number = 1;
            for (long offset = 0; offset < size; offset += part, number++) {
                long from = offset;
                long length = Math.min(part, size - offset);
                int n = number;
                pending.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return uploadPart(key, uploadId, n, file, from, length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, parts));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (CompletableFuture<CompletedPart> p : pending) {
                done.add(S3BlobWriter.join(p));
            }
            completeMultipart(key, uploadId, done);
        } catch (IOException | RuntimeException e) {
            S3BlobWriter.settle(pending);
            abortMultipart(key, uploadId);
            throw e;
        }
    }

    /** Copies an object of this bucket within the store (no bytes through the proxy; up to 5 GiB). */
    public void copy(String fromFullKey, String toKey) throws IOException {
        try {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(fromFullKey).destinationBucket(bucket)
                    .destinationKey(fullKey(toKey)));
        } catch (SdkException e) {
            throw failure("copying " + fromFullKey + " to", toKey, e);
        }
    }

    /** A GET URL anyone holding it may use until it expires, signed with this proxy's credentials. */
    public URI presignedGet(String key, Duration validFor) {
        return URI.create(presigner.presignGetObject(p -> p.signatureDuration(validFor)
                .getObjectRequest(g -> g.bucket(bucket).key(fullKey(key)))).url().toString());
    }

    // ---- multipart: an upload stays invisible until completed ------------------------------------------------

    public String startMultipart(String key) throws IOException {
        try {
            return s3.createMultipartUpload(b -> b.bucket(bucket).key(fullKey(key))).uploadId();
        } catch (SdkException e) {
            throw failure("starting an upload of", key, e);
        }
    }

    public CompletedPart uploadPart(String key, String uploadId, int number, Path file, long offset, long length)
            throws IOException {
        try {
            String etag = s3.uploadPart(b -> b.bucket(bucket).key(fullKey(key)).uploadId(uploadId).partNumber(number)
                    .contentLength(length), BucketStreams.fileRegion(file, offset, length)).eTag();
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        } catch (SdkException e) {
            throw failure("uploading part " + number + " of", key, e);
        }
    }

    public void completeMultipart(String key, String uploadId, List<CompletedPart> parts) throws IOException {
        try {
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(fullKey(key)).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (SdkException e) {
            throw failure("completing the upload of", key, e);
        }
    }

    public void abortMultipart(String key, String uploadId) throws IOException {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(fullKey(key)).uploadId(uploadId));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("aborting the upload of", key, e);
            }
        } catch (SdkException e) {
            throw failure("aborting the upload of", key, e);
        }
    }

    /** An upload in progress (or abandoned): its key relative to the prefix. */
    public record PendingUpload(String key, String uploadId, Instant initiated) {
    }

    public List<PendingUpload> pendingMultiparts(String under) throws IOException {
        List<PendingUpload> found = new ArrayList<>();
        try {
            for (var page : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(fullKey(under)))) {
                for (MultipartUpload u : page.uploads()) {
                    if (u.key().startsWith(prefix)) {
                        found.add(new PendingUpload(u.key().substring(prefix.length()), u.uploadId(), u.initiated()));
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("listing uploads under", under, e);
        }
        return found;
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    private IOException failure(String doing, String key, SdkException e) {
        return new IOException("object store: " + doing + " s3://" + bucket + "/" + fullKey(key) + " failed: "
                + e.getMessage(), e);
    }
}
