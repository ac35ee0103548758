package dev.entrepot.operator.plan;

import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.opaque;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.s3;
import static dev.entrepot.operator.Fixtures.s3Keys;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.withS3;
import static dev.entrepot.operator.Fixtures.withStorage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.render.ProxyConfig;
import dev.entrepot.operator.render.ProxyWorkload;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** spec.storage: where the namespace's hosted content lives, and how many proxy replicas that allows. */
class StoragePlannerTest {

    private static final String NS = "team-a";
    private static final String MINIO = "https://minio.storage.svc:9000";
    private static final ProxySettings THREE = ProxySettings.defaults().withReplicas(3);
    private static final Function<String, Optional<Secret>> KEYS = secrets(s3Keys(NS, "minio-keys", "AKIA1", "s3cret"));

    private static Function<String, Optional<Secret>> secrets(Secret... secrets) {
        Map<String, Secret> byName = new HashMap<>();
        for (Secret s : secrets) {
            byName.put(s.getMetadata().getName(), s);
        }
        return name -> Optional.ofNullable(byName.get(name));
    }

    private static NamespacePlan plan(List<Repository> repositories, Function<String, Optional<Secret>> secrets,
            ProxySettings settings) {
        return NamespacePlanner.plan(repositories, List.of(), secrets, settings);
    }

    private static List<String> reasons(NamespacePlan plan, String repository) {
        return plan.problemsOf(Subject.repository(repository)).stream().map(Problem::reason).toList();
    }

    @Test
    void aBucketWithKeysIsRenderedWithTheKeysCopiedAndAllowsTheReplicas() {
        Repository team = withS3(withStorage(standard(NS, "team", false), "100Gi"), s3("images", MINIO, "minio-keys"));
        team.getSpec().getStorage().getS3().setPrefix("cluster-a/");

        NamespacePlan plan = plan(List.of(team, remote(NS, "hub", "https://registry-1.docker.io")), KEYS, THREE);

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().storage()).isEqualTo(new ProxyConfig.Storage("/var/lib/entrepot", "61440Mi",
                new ProxyConfig.S3("images", MINIO, null, "cluster-a/", true,
                        "/etc/entrepot/credentials/minio-keys_accessKeyId",
                        "/etc/entrepot/credentials/minio-keys_secretAccessKey", "30720Mi")));
        assertThat(plan.credentialFiles()).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "minio-keys_accessKeyId", b64("AKIA1"), "minio-keys_secretAccessKey", b64("s3cret"))));
        assertThat(plan.workload().replicas()).isEqualTo(3);
        assertThat(plan.workload().scratchSize()).as("each replica's emptyDir: the volume's size").isEqualTo("100Gi");
        assertThat(plan.workload().storeRevision()).startsWith("s3-");
        assertThat(plan.storageSize()).isEqualTo("100Gi");
    }

    @Test
    void oneReplicaWithABucketKeepsTheClaim() {
        NamespacePlan plan = plan(List.of(withS3(standard(NS, "team", false), s3("images", null, null))),
                secrets(), ProxySettings.defaults());

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.s3()).isTrue();
        assertThat(plan.config().storage().s3().accessKeyIdFile()).as("no Secret: the SDK's default chain").isNull();
        assertThat(plan.credentialFiles()).isEmpty();
        assertThat(plan.workload().replicas()).isEqualTo(1);
        assertThat(plan.workload().onClaim()).isTrue();
    }

    @Test
    void aFilesystemStoreRunsOneReplicaWhateverTheSettingAsks() {
        NamespacePlan plan = plan(List.of(standard(NS, "team", false)), secrets(), THREE);

        assertThat(plan.problems()).as("not a spec problem").isEmpty();
        assertThat(plan.workload()).isEqualTo(ProxyWorkload.filesystem());
        assertThat(plan.requestedReplicas()).isEqualTo(3);
        assertThat(plan.config().storage()).isEqualTo(new ProxyConfig.Storage("/var/lib/entrepot", "18432Mi"));
    }

    /** Defaults written out or left out are the same bucket; repositories without spec.storage.s3 follow. */
    @Test
    void repositoriesThatAgreeShareTheBucketSilently() {
        S3StorageSpec explicit = s3("images", MINIO + "/", "minio-keys");
        explicit.setRegion("us-east-1");
        explicit.setPrefix("a");
        S3StorageSpec implicit = s3("images", MINIO, "minio-keys");
        implicit.setPrefix("a/");

        NamespacePlan plan = plan(List.of(withS3(standard(NS, "b", false), implicit),
                withS3(standard(NS, "a", false), explicit), standard(NS, "c", false)), KEYS, THREE);

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().storage().s3().region()).as("as a, first by name, wrote it").isEqualTo("us-east-1");
        assertThat(plan.workload().replicas()).isEqualTo(3);
    }

    @Test
    void aDifferentBucketLaterByNameIsAConflictAndTheFirstWins() {
        NamespacePlan plan = plan(List.of(withS3(standard(NS, "zeta", false), s3("other", MINIO, "minio-keys")),
                withS3(standard(NS, "alpha", false), s3("images", MINIO, "minio-keys")),
                withS3(remote(NS, "mid", "https://quay.io"), s3("images", MINIO, null))), KEYS, THREE);

        assertThat(plan.config().storage().s3().bucket()).isEqualTo("images");
        assertThat(reasons(plan, "alpha")).isEmpty();
        assertThat(reasons(plan, "zeta")).containsExactly("StorageConflict");
        assertThat(reasons(plan, "mid")).as("same bucket, other credentials").containsExactly("StorageConflict");
        assertThat(plan.problemsOf(Subject.repository("zeta")).get(0).message())
                .contains("bucket other at " + MINIO).contains("Repository alpha's (bucket images at " + MINIO)
                .contains("until the two agree");
        assertThat(plan.config().repositories()).as("all still served").hasSize(3);
    }

    /** A missing Secret never moves hosted content back to the volume, where it would be hidden again later. */
    @Test
    void aMissingSecretOrKeyIsReportedAndTheBucketKept() {
        List<Repository> repositories = List.of(withS3(standard(NS, "team", false), s3("images", MINIO, "minio-keys")),
                withS3(standard(NS, "more", false), s3("images", MINIO, "minio-keys")));

        NamespacePlan missing = plan(repositories, secrets(), THREE);
        assertThat(reasons(missing, "team")).containsExactly("SecretNotFound");
        assertThat(reasons(missing, "more")).as("every repository naming it").containsExactly("SecretNotFound");
        assertThat(missing.problemsOf(Subject.repository("team")).get(0).message())
                .contains("Secret minio-keys (spec.storage.s3.credentialsSecretRef) not found")
                .contains("default credentials");
        assertThat(missing.config().storage().s3().bucket()).isEqualTo("images");
        assertThat(missing.config().storage().s3().accessKeyIdFile()).isNull();
        assertThat(missing.config().storage().s3().secretAccessKeyFile()).isNull();
        assertThat(missing.credentialFiles()).isEmpty();
        assertThat(missing.workload().replicas()).isEqualTo(3);

        NamespacePlan halfKey = plan(repositories,
                secrets(opaque(NS, "minio-keys", Map.of("accessKeyId", "AKIA1"))), THREE);
        assertThat(reasons(halfKey, "team")).containsExactly("SecretKeyNotFound");
        assertThat(halfKey.problemsOf(Subject.repository("team")).get(0).message())
                .contains("has no key 'secretAccessKey'");
        assertThat(halfKey.config().storage().s3().accessKeyIdFile()).isNull();
        assertThat(halfKey.credentialFiles()).isEmpty();
    }

    /** The proxy reads the bucket's settings and keys at start only: any change of them must restart it. */
    @Test
    void theStoreRevisionFollowsTheBucketAndItsKeysOnly() {
        List<Repository> one = List.of(withS3(standard(NS, "team", false), s3("images", MINIO, "minio-keys")));
        String revision = plan(one, KEYS, THREE).workload().storeRevision();

        List<Repository> more = List.of(one.get(0), remote(NS, "hub", "https://registry-1.docker.io"));
        assertThat(plan(more, KEYS, THREE).workload().storeRevision()).isEqualTo(revision);
        assertThat(plan(one, secrets(s3Keys(NS, "minio-keys", "AKIA1", "rotated")), THREE).workload().storeRevision())
                .isNotEqualTo(revision);
        assertThat(plan(one, secrets(), THREE).workload().storeRevision()).isNotEqualTo(revision);
        assertThat(plan(List.of(withS3(standard(NS, "team", false), s3("images2", MINIO, "minio-keys"))), KEYS, THREE)
                .workload().storeRevision()).isNotEqualTo(revision);
    }

    /** The schema refuses these; should one get through (an older CRD), the proxy must still get a file it accepts. */
    @Test
    void anInvalidBucketIsReportedAndLeftOut() {
        for (String bucket : List.of("ab", "Images", "a..b", "-ab", "a".repeat(64))) {
            NamespacePlan plan = plan(List.of(withS3(standard(NS, "team", false), s3(bucket, MINIO, null))), secrets(),
                    THREE);

            assertThat(reasons(plan, "team")).as(bucket).containsExactly("InvalidSpec");
            assertThat(plan.s3()).as(bucket).isFalse();
            assertThat(plan.workload().replicas()).isEqualTo(1);
        }
        S3StorageSpec badPrefix = s3("images", MINIO, null);
        badPrefix.setPrefix("/a");
        assertThat(reasons(plan(List.of(withS3(standard(NS, "team", false), badPrefix)), secrets(), THREE), "team"))
                .containsExactly("InvalidSpec");
        assertThat(reasons(plan(List.of(withS3(standard(NS, "team", false), s3("images", "ftp://x", null))), secrets(),
                THREE), "team")).containsExactly("InvalidSpec");
    }

    /** Redirects are rendered as asked, restart the proxy when they change, and must agree across repositories. */
    @Test
    void redirectsAreRenderedAndTwoRepositoriesMustAgreeOnThem() {
        S3StorageSpec redirecting = s3("images", MINIO, "minio-keys");
        redirecting.setRedirect(true);
        redirecting.setRedirectTtl("30m");
        List<Repository> one = List.of(withS3(standard(NS, "team", false), redirecting));

        NamespacePlan plan = plan(one, KEYS, THREE);
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().storage().s3().redirect()).isTrue();
        assertThat(plan.config().storage().s3().redirectTtl()).isEqualTo("30m");
        List<Repository> plain = List.of(withS3(standard(NS, "team", false), s3("images", MINIO, "minio-keys")));
        assertThat(plan(plain, KEYS, THREE).config().storage().s3().redirect()).as("the proxy's default").isNull();
        assertThat(plan(plain, KEYS, THREE).workload().storeRevision()).as("read at start: a restart")
                .isNotEqualTo(plan.workload().storeRevision());

        S3StorageSpec sameDefault = s3("images", MINIO, "minio-keys");
        sameDefault.setRedirect(true);
        S3StorageSpec spelledOut = s3("images", MINIO, "minio-keys");
        spelledOut.setRedirect(true);
        spelledOut.setRedirectTtl("1200s");
        assertThat(plan(List.of(withS3(standard(NS, "a", false), sameDefault),
                withS3(standard(NS, "b", false), spelledOut)), KEYS, THREE).problems()).as("20m either way").isEmpty();
        S3StorageSpec offWithTtl = s3("images", MINIO, "minio-keys");
        offWithTtl.setRedirect(false);
        offWithTtl.setRedirectTtl("5m");
        assertThat(plan(List.of(withS3(standard(NS, "a", false), s3("images", MINIO, "minio-keys")),
                withS3(standard(NS, "b", false), offWithTtl)), KEYS, THREE).problems())
                .as("no redirects: the validity does not matter").isEmpty();

        NamespacePlan disagreeing = plan(List.of(one.get(0), withS3(standard(NS, "zeta", false),
                s3("images", MINIO, "minio-keys"))), KEYS, THREE);
        assertThat(reasons(disagreeing, "zeta")).containsExactly("StorageConflict");
        assertThat(disagreeing.problemsOf(Subject.repository("zeta")).get(0).message())
                .contains("redirects valid 1800s");
        assertThat(disagreeing.config().storage().s3().redirect()).as("the first by name wins").isTrue();
    }

    /** The proxy refuses a redirect validity a pre-signed URL cannot have: the bucket is left out, the file stays valid. */
    @Test
    void aRedirectTtlOutsideOneSecondTo168HoursIsReportedAndLeftOut() {
        for (String ttl : List.of("0", "500ms", "169h", "99999999999999999999h")) {
            S3StorageSpec bad = s3("images", MINIO, null);
            bad.setRedirect(true);
            bad.setRedirectTtl(ttl);
            NamespacePlan plan = plan(List.of(withS3(standard(NS, "team", false), bad)), secrets(), THREE);

            assertThat(reasons(plan, "team")).as(ttl).containsExactly("InvalidSpec");
            assertThat(plan.s3()).as(ttl).isFalse();
        }
        S3StorageSpec longest = s3("images", MINIO, null);
        longest.setRedirectTtl("168h");
        assertThat(plan(List.of(withS3(standard(NS, "team", false), longest)), secrets(), THREE).problems()).isEmpty();
    }

    /** Sorting is the planner's: the result does not depend on the order the informer lists repositories in. */
    @Test
    void theChoiceDoesNotDependOnTheListOrder() {
        Repository a = withS3(standard(NS, "a", false), s3("first", null, null));
        Repository b = withS3(standard(NS, "b", false), s3("second", null, null));

        assertThat(plan(List.of(b, a), secrets(), THREE).config().storage())
                .isEqualTo(plan(List.of(a, b), secrets(), THREE).config().storage());
        assertThat(plan(List.of(b, a), secrets(), THREE).config().storage().s3().bucket()).isEqualTo("first");
    }
}
