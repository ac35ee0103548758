package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.EntrepotConfig.S3Storage;
import dev.entrepot.proxy.config.EntrepotConfig.StorageType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** storage.type and storage.s3: hosted content in an S3-compatible bucket. */
class StorageConfigTest {
    private static final String REPOS = "repositories: [{name: team, mode: standard}]\n";

    @Test
    void theFilesystemIsTheDefault() {
        EntrepotConfig config = ConfigLoader.parse(REPOS);

        assertThat(config.storage().type()).isEqualTo(StorageType.FILESYSTEM);
        assertThat(config.storage().s3()).isNull();
    }

    @Test
    void aFullS3Block() {
        EntrepotConfig config = ConfigLoader.parse("""
                storage:
                  path: /var/lib/entrepot
                  type: s3
                  s3:
                    bucket: entrepot-prod
                    endpoint: https://minio.storage.svc:9000
                    region: eu-west-3
                    prefix: cluster-a/
                    pathStyle: true
                    accessKeyIdFile: /etc/entrepot/s3/access-key-id
                    secretAccessKeyFile: /etc/entrepot/s3/secret-access-key
                    partSize: 32Mi
                    localCacheSize: 20Gi
                    redirect: true
                    redirectTtl: 5m
                """ + REPOS);

        S3Storage s3 = config.storage().s3();
        assertThat(config.storage().type()).isEqualTo(StorageType.S3);
        assertThat(s3.bucket()).isEqualTo("entrepot-prod");
        assertThat(s3.endpoint()).isEqualTo(URI.create("https://minio.storage.svc:9000"));
        assertThat(s3.region()).isEqualTo("eu-west-3");
        assertThat(s3.prefix()).isEqualTo("cluster-a/");
        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.accessKeyIdFile()).isEqualTo(Path.of("/etc/entrepot/s3/access-key-id"));
        assertThat(s3.secretAccessKeyFile()).isEqualTo(Path.of("/etc/entrepot/s3/secret-access-key"));
        assertThat(s3.partSize().bytes()).isEqualTo(32L << 20);
        assertThat(s3.localCacheSize().bytes()).isEqualTo(20L << 30);
        assertThat(s3.redirect()).isTrue();
        assertThat(s3.redirectValidity()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aBucketAloneMeansAwsWithTheDefaultChain() {
        EntrepotConfig config = ConfigLoader.parse("storage: {type: s3, s3: {bucket: my-registry}}\n" + REPOS);

        S3Storage s3 = config.storage().s3();
        assertThat(s3.endpoint()).isNull();
        assertThat(s3.region()).isEqualTo("us-east-1");
        assertThat(s3.prefix()).isEmpty();
        assertThat(s3.pathStyle()).as("virtual-hosted, as AWS wants").isFalse();
        assertThat(s3.accessKeyIdFile()).isNull();
        assertThat(s3.credentialsFile()).isNull();
        assertThat(s3.profile()).isEqualTo("default");
        assertThat(s3.partSize().bytes()).isEqualTo(16L << 20);
        assertThat(s3.localCacheSize().bytes()).isEqualTo(10L << 30);
        assertThat(s3.redirect()).as("blobs are served, not redirected").isFalse();
        assertThat(s3.redirectTtl()).isEqualTo(Duration.ofMinutes(20));
        assertThat(s3.redirectValidity()).isNull();
    }

    @Test
    void aRedirectTtlOutsideWhatAPresignedUrlAllowsIsRefused() {
        assertThat(problems("storage: {type: s3, s3: {bucket: abc, redirect: true, redirectTtl: 0s}}\n" + REPOS))
                .containsExactly("storage.s3.redirectTtl: must be between 1s and 168h, the longest a pre-signed URL"
                        + " may be valid (got 0)");
        assertThat(problems("storage: {type: s3, s3: {bucket: abc, redirect: true, redirectTtl: 169h}}\n" + REPOS))
                .containsExactly("storage.s3.redirectTtl: must be between 1s and 168h, the longest a pre-signed URL"
                        + " may be valid (got 169h)");
        assertThat(ConfigLoader.parse("storage: {type: s3, s3: {bucket: abc, redirect: true, redirectTtl: 168h}}\n"
                + REPOS).storage().s3().redirectValidity()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void aCredentialsFileWithItsProfile() {
        EntrepotConfig config = ConfigLoader.parse("""
                storage: {type: s3, s3: {bucket: b-1, credentialsFile: /etc/aws/credentials, profile: registry}}
                """ + REPOS);

        assertThat(config.storage().s3().credentialsFile()).isEqualTo(Path.of("/etc/aws/credentials"));
        assertThat(config.storage().s3().profile()).isEqualTo("registry");
    }

    @Test
    void s3WithoutItsBlockOrABlockWithoutS3AreRefused() {
        assertThat(problems("storage: {type: s3}\n" + REPOS))
                .containsExactly("storage.s3: required with storage.type: s3 (at least the bucket)");
        assertThat(problems("storage: {s3: {bucket: abc}}\n" + REPOS))
                .containsExactly("storage.s3: only used with storage.type: s3 (set it, or remove the block)");
    }

    @Test
    void everyMistakeOfTheBlockIsReportedAtOnce() {
        List<String> problems = problems("""
                storage:
                  type: s3
                  s3:
                    bucket: Not_A_Bucket
                    endpoint: minio:9000
                    prefix: /absolute
                    accessKeyIdFile: /k
                    credentialsFile: /c
                    partSize: 1Mi
                    localCacheSize: 0
                """ + REPOS);

        assertThat(problems).containsExactlyInAnyOrder(
                "storage.s3.bucket: required, 3 to 63 lowercase letters, digits, '.' and '-', starting and ending "
                        + "with a letter or digit (got Not_A_Bucket)",
                "storage.s3.endpoint: must be an http:// or https:// URL with a host (got minio:9000)",
                "storage.s3.prefix: must not start with '/' or contain '//' (got /absolute)",
                "storage.s3: accessKeyIdFile and secretAccessKeyFile go together",
                "storage.s3: either the key files or credentialsFile, not both",
                "storage.s3.partSize: must be between 5Mi and 5Gi, S3's part limits (got 1Mi)",
                "storage.s3.localCacheSize: must be positive");
    }

    @Test
    void unknownTypesAndFieldsSayWhatIsKnown() {
        assertThat(problems("storage: {type: gcs}\n" + REPOS)).singleElement().asString()
                .contains("storage.type").contains("filesystem, s3");
        assertThat(problems("storage: {type: s3, s3: {bucket: abc, pathstyle: true}}\n" + REPOS)).singleElement()
                .asString().contains("unknown field 'pathstyle'").contains("pathStyle");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml), ConfigException.class);
        assertThat(e).as("expected a ConfigException for:%n%s", yaml).isNotNull();
        return e.problems();
    }
}
