package dev.entrepot.proxy.store.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for a test class: s3proxy on loopback, on a free port, over jclouds' filesystem backend in a
 * temporary directory, with signature authentication on. It also answers virtual-hosted requests for
 * {@code <bucket>.localhost}, which {@link #LOCALHOST_RESOLVER} resolves (the system resolver does not). Each test asks
 * for its own bucket, so tests never see each other's objects. Register it with {@code @RegisterExtension static}.
 */
public final class S3TestServer implements BeforeAllCallback, AfterAllCallback {
    static final String ACCESS_KEY = "entrepot-test";
    static final String SECRET_KEY = "entrepot-test-secret";

    /** Resolves {@code localhost} and every name under it to the loopback address, the rest as the system does. */
    static final DnsResolver LOCALHOST_RESOLVER = new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            if (host.equals("localhost") || host.endsWith(".localhost")) {
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            }
            return SystemDefaultDnsResolver.INSTANCE.resolve(host);
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return host;
        }
    };

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private Path directory;
    private BlobStoreContext context;
    private S3Proxy proxy;
    private URI endpoint;

    @Override
    public void beforeAll(ExtensionContext extension) throws Exception {
        directory = Files.createTempDirectory("s3-test-server");
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(properties).credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .virtualHost("localhost")
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        endpoint = URI.create("http://localhost:" + proxy.getPort());
    }

    @Override
    public void afterAll(ExtensionContext extension) throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (context != null) {
            context.close();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Creates an empty bucket and returns settings for it: path-style, the test credentials, 5 MiB parts. */
    public S3Settings newBucket() throws IOException {
        String bucket = "b" + BUCKETS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client admin = adminClient()) {
            admin.createBucket(b -> b.bucket(bucket));
        }
        Path keys = Files.createDirectories(directory.resolve("keys"));
        Path id = Files.writeString(keys.resolve("id"), ACCESS_KEY + "\n");
        Path secret = Files.writeString(keys.resolve("secret"), SECRET_KEY + "\n");
        return new S3Settings(bucket, endpoint, "us-east-1", "", true, id, secret, null, null,
                S3Settings.MIN_PART_SIZE);
    }

    /**
     * A bucket client of its own for tests that look behind a store's back (listing uploads, raw objects). The
     * filesystem backend lists directories as keys ending in '/' and keeps the parts of multipart uploads in
     * progress as objects named {@code .mpus-<upload id>-...}: neither is under a key a store reads.
     */
    public S3Client adminClient() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                // s3proxy 2.9.0 rejects the SDK's default trailing checksums (x-amz-content-sha256 mismatch)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .build();
    }

    /** Connects to the bucket of {@code settings}, resolving {@code *.localhost} for virtual-hosted addressing. */
    public Bucket connect(S3Settings settings) throws IOException {
        return Bucket.connect(settings, LOCALHOST_RESOLVER);
    }
}
