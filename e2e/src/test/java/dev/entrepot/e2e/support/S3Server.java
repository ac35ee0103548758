package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * A real S3 API for proxies under test: s3proxy on 127.0.0.1 in this JVM, over jclouds' filesystem backend in a work
 * dir, with signed requests, one bucket, and the key pair in two files for {@code storage.s3}. Tests look into the
 * bucket behind the proxies' back through the backend.
 */
public final class S3Server implements AutoCloseable {
    private static final String ACCESS_KEY = "entrepot-e2e";
    private static final String SECRET_KEY = "entrepot-e2e-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final String bucket;
    private final Path accessKeyIdFile;
    private final Path secretAccessKeyFile;

    private S3Server(BlobStoreContext context, S3Proxy proxy, String bucket, Path accessKeyIdFile,
                     Path secretAccessKeyFile) {
        this.context = context;
        this.proxy = proxy;
        this.bucket = bucket;
        this.accessKeyIdFile = accessKeyIdFile;
        this.secretAccessKeyFile = secretAccessKeyFile;
    }

    public static S3Server start(Path workDir, String bucket) {
        return start(workDir, bucket, UnaryOperator.identity());
    }

    /** @param serve what s3proxy serves from, given the backend (e.g. a decorator counting requests, benchmarks) */
    public static S3Server start(Path workDir, String bucket, UnaryOperator<BlobStore> serve) {
        try {
            Path data = Files.createDirectories(workDir.resolve("data"));
            Path id = Files.writeString(workDir.resolve("access-key-id"), ACCESS_KEY + "\n");
            Path secret = Files.writeString(workDir.resolve("secret-access-key"), SECRET_KEY + "\n");
            Properties properties = new Properties();
            properties.setProperty("jclouds.filesystem.basedir", data.toString());
            BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
                    .credentials(ACCESS_KEY, SECRET_KEY).build(BlobStoreContext.class);
            context.getBlobStore().createContainerInLocation(null, bucket);
            S3Proxy proxy = S3Proxy.builder().blobStore(serve.apply(context.getBlobStore()))
                    .endpoint(URI.create("http://127.0.0.1:" + Ports.free()))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
            proxy.start();
            return new S3Server(context, proxy, bucket, id, secret);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public String bucket() {
        return bucket;
    }

    /** {@code storage.type: s3} on this server's bucket. */
    public ProxyConfig configure(ProxyConfig config) {
        return config.s3(endpoint(), bucket, accessKeyIdFile, secretAccessKeyFile);
    }

    /** Whether the hosted store of the proxies holds a blob object for {@code digest}. */
    public boolean hasBlob(String digest) {
        return context.getBlobStore().blobExists(bucket, "hosted/blobs/sha256/" + digest.substring("sha256:".length()));
    }

    /**
     * Puts a file as the hosted blob {@code digest} straight into the backend, past s3proxy's HTTP side (whose
     * aws-chunked upload decoding runs at tens of MiB/s): a push of that blob through a proxy then finds it there and
     * sends nothing again. The caller vouches that the file hashes to {@code digest}.
     */
    public void seedBlob(String digest, Path file) {
        BlobStore store = context.getBlobStore();
        String key = "hosted/blobs/sha256/" + digest.substring("sha256:".length());
        store.putBlob(bucket, store.blobBuilder(key).payload(file.toFile()).contentLength(file.toFile().length())
                .build());
    }

    /** Whether the proxies share a cached (pull-through) blob for {@code digest}: {@code cache/blobs/sha256/<hex>}. */
    public boolean hasCachedBlob(String digest) {
        return context.getBlobStore().blobExists(bucket, "cache/blobs/sha256/" + digest.substring("sha256:".length()));
    }

    /**
     * Names of the claims of the fetch lease of cached blob {@code digest} ({@code <holder>-<n>}, the holder naming
     * the proxy's pid), under {@code cache/fetching/sha256/<hex>/}; empty when nobody is fetching it.
     */
    public List<String> fetchClaims(String digest) {
        String dir = "cache/fetching/sha256/" + digest.substring("sha256:".length()) + "/";
        return context.getBlobStore().list(bucket, ListContainerOptions.Builder.prefix(dir).recursive()).stream()
                .map(StorageMetadata::getName)
                .filter(name -> name.startsWith(dir) && name.length() > dir.length())
                .map(name -> name.substring(dir.length()))
                .toList();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
