package dev.entrepot.operator.plan;

import static dev.entrepot.operator.plan.Problem.Category.CONFLICT;
import static dev.entrepot.operator.plan.Problem.Category.CREDENTIALS;
import static dev.entrepot.operator.plan.Problem.Category.SPEC;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.S3CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StorageHints;
import dev.entrepot.operator.render.ProxyConfig;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import dev.entrepot.operator.render.ProxyWorkload;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides the one store of a namespace's proxy from the spec.storage of its Repositories (in the planner's order, by
 * name): the volume size is the largest size hint, at least the operator's storage-size. Hosted content goes to the
 * bucket of the first Repository with a usable spec.storage.s3; a later one asking for another bucket (or the same
 * one otherwise reached) is reported, and its hosted content goes to the chosen bucket too; Repositories without
 * spec.storage.s3 follow the choice. A missing credentials Secret or key is reported but never moves hosted content
 * back to the volume, where it would be hidden again once the Secret is fixed: the proxy then asks the bucket with
 * the AWS SDK's default credentials. Only a namespace with the S3 store runs more than one proxy replica.
 */
final class StoragePlanner {

    /** Filesystem store: the share of the volume cached content may fill; the rest is headroom (uploads, metadata). */
    static final BigDecimal FILL_RATIO = new BigDecimal("0.9");
    /** S3 store: cached content and the local copies of hosted blobs share the volume, with the same headroom. */
    static final BigDecimal S3_CACHE_RATIO = new BigDecimal("0.6");
    static final BigDecimal S3_LOCAL_COPIES_RATIO = new BigDecimal("0.3");
    /** The proxy's defaults, so that a Repository writing one and another leaving it out agree. */
    static final String DEFAULT_REGION = "us-east-1";
    static final Duration DEFAULT_REDIRECT_TTL = Duration.ofMinutes(20);
    /** The longest a pre-signed URL may be valid (SigV4); the proxy refuses more. */
    static final Duration MAX_REDIRECT_TTL = Duration.ofDays(7);
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private static final Pattern SIZE = Pattern.compile(Patterns.SIZE);
    private static final Pattern BUCKET = Pattern.compile(Patterns.S3_BUCKET);
    private static final Pattern ENDPOINT = Pattern.compile(Patterns.S3_ENDPOINT);
    private static final Pattern REGION = Pattern.compile(Patterns.S3_REGION);
    private static final Pattern PREFIX = Pattern.compile(Patterns.S3_PREFIX);
    private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);
    private static final Pattern NAME = Pattern.compile(Patterns.OBJECT_NAME);
    private static final Pattern KEY = Pattern.compile(Patterns.SECRET_KEY);

    /**
     * The store as the proxy is to use it.
     *
     * @param volumeSize the claim's size, and each replica's emptyDir bound when there are several
     */
    record Store(ProxyConfig.Storage storage, String volumeSize, ProxyWorkload workload) {
    }

    /** A bucket as declared, with the proxy's defaults filled in: two declarations agree when these are equal. */
    private record Bucket(String bucket, String endpoint, String region, String prefix, boolean pathStyle,
            String secret, String accessKeyIdKey, String secretAccessKeyKey, boolean redirect, Duration redirectTtl) {

        static Bucket of(S3StorageSpec s3) {
            S3CredentialsSecretRef ref = s3.getCredentialsSecretRef();
            String prefix = s3.getPrefix() == null ? "" : s3.getPrefix();
            return new Bucket(s3.getBucket(), s3.getEndpoint() == null ? null : s3.getEndpoint().replaceFirst("/$", ""),
                    s3.getRegion() == null ? DEFAULT_REGION : s3.getRegion(),
                    prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/",
                    Boolean.TRUE.equals(s3.getPathStyle()), ref == null ? null : ref.getName(),
                    ref == null ? null : orDefault(ref.getAccessKeyIdKey(), "accessKeyId"),
                    ref == null ? null : orDefault(ref.getSecretAccessKeyKey(), "secretAccessKey"),
                    Boolean.TRUE.equals(s3.getRedirect()),
                    // without redirects the validity means nothing: two declarations differing only there agree
                    s3.getRedirectTtl() == null || !Boolean.TRUE.equals(s3.getRedirect()) ? DEFAULT_REDIRECT_TTL
                            : goDuration(s3.getRedirectTtl()));
        }

        @Override
        public String toString() {
            return "bucket " + bucket + (endpoint == null ? " on AWS" : " at " + endpoint) + ", region " + region
                    + (prefix.isEmpty() ? "" : ", prefix " + prefix) + (pathStyle ? ", path-style" : "")
                    + (secret == null ? ", default credentials" : ", keys " + accessKeyIdKey + " and "
                            + secretAccessKeyKey + " of Secret " + secret)
                    + (redirect ? ", redirects valid " + redirectTtl.toSeconds() + "s" : "");
        }
    }

    /** The key pair's copies in the credentials Secret, and their content (for the store's revision). */
    private record KeyFiles(String accessKeyIdFile, String secretAccessKeyFile, String content) {
        static final KeyFiles NONE = new KeyFiles(null, null, "");
    }

    private final ProxySettings settings;
    private final Function<String, Optional<Secret>> secrets;
    private final CredentialFiles files;
    private final ProblemSink problems;

    StoragePlanner(ProxySettings settings, Function<String, Optional<Secret>> secrets, CredentialFiles files,
            ProblemSink problems) {
        this.settings = settings;
        this.secrets = secrets;
        this.files = files;
        this.problems = problems;
    }

    /** @param repositories in the planner's order (by name) */
    Store plan(List<Repository> repositories, String path) {
        String volume = volumeSize(repositories);
        Subject chooser = null;
        Bucket chosen = null;
        S3StorageSpec chosenSpec = null;
        List<Subject> agreeing = new ArrayList<>();
        for (Repository r : repositories) {
            S3StorageSpec s3 = hints(r) == null ? null : hints(r).getS3();
            Subject subject = Subject.repository(r.getMetadata().getName());
            if (s3 == null || !valid(subject, s3)) {
                continue;
            }
            Bucket bucket = Bucket.of(s3);
            if (chosen == null) {
                chooser = subject;
                chosen = bucket;
                chosenSpec = s3;
                agreeing.add(subject);
            } else if (chosen.equals(bucket)) {
                agreeing.add(subject);
            } else {
                problems.report(subject, CONFLICT, "StorageConflict", "spec.storage.s3 (" + bucket + ") differs from "
                        + chooser + "'s (" + chosen + "), which the namespace's proxy uses: the hosted content of all"
                        + " its repositories, this one's too, is kept there until the two agree");
            }
        }
        if (chosen == null) {
            return new Store(new ProxyConfig.Storage(path, share(volume, FILL_RATIO)), volume,
                    ProxyWorkload.filesystem());
        }
        KeyFiles keys = keyFiles(chosenSpec.getCredentialsSecretRef(), agreeing);
        ProxyConfig.S3 s3 = new ProxyConfig.S3(chosenSpec.getBucket(), chosenSpec.getEndpoint(), chosenSpec.getRegion(),
                chosenSpec.getPrefix(), chosenSpec.getPathStyle(), keys.accessKeyIdFile(), keys.secretAccessKeyFile(),
                share(volume, S3_LOCAL_COPIES_RATIO), chosenSpec.getRedirect(), chosenSpec.getRedirectTtl());
        int replicas = settings.replicas();
        // The proxy reads storage.s3 and the key files once, at start: a change of either must restart it.
        String revision = "s3-" + ProxyConfigRenderer.sha256(s3 + "\n" + keys.content()).substring(0, 16);
        return new Store(new ProxyConfig.Storage(path, share(volume, S3_CACHE_RATIO), s3), volume,
                new ProxyWorkload(replicas, replicas > 1 ? volume : null, revision));
    }

    /**
     * The key pair copied into the credentials Secret; none without a credentialsSecretRef, or when the Secret or a
     * key is missing (reported on every Repository that names it).
     */
    private KeyFiles keyFiles(S3CredentialsSecretRef ref, List<Subject> declaring) {
        if (ref == null) {
            return KeyFiles.NONE;
        }
        String consequence = "; until it does the proxy asks the bucket with the AWS SDK's default credentials (web"
                + " identity, instance profile), and does not start without any";
        String at = "Secret " + ref.getName() + " (spec.storage.s3.credentialsSecretRef)";
        Optional<Secret> secret = secrets.apply(ref.getName());
        if (secret.isEmpty()) {
            declaring.forEach(s -> problems.report(s, CREDENTIALS, "SecretNotFound",
                    at + " not found in the namespace" + consequence));
            return KeyFiles.NONE;
        }
        String idKey = orDefault(ref.getAccessKeyIdKey(), "accessKeyId");
        String secretKey = orDefault(ref.getSecretAccessKeyKey(), "secretAccessKey");
        Optional<String> id = NamespacePlanner.value(secret.get(), idKey);
        Optional<String> key = NamespacePlanner.value(secret.get(), secretKey);
        if (id.isEmpty() || key.isEmpty()) {
            String missing = id.isEmpty() ? idKey : secretKey;
            declaring.forEach(s -> problems.report(s, CREDENTIALS, "SecretKeyNotFound",
                    at + " has no key '" + missing + "'" + consequence));
            return KeyFiles.NONE;
        }
        return new KeyFiles(files.file(ref.getName(), idKey, id.get()), files.file(ref.getName(), secretKey, key.get()),
                id.get() + "\n" + key.get());
    }

    /** What the schema checks, checked again: the proxy would refuse the whole file for a bad bucket. */
    private boolean valid(Subject subject, S3StorageSpec s3) {
        S3CredentialsSecretRef ref = s3.getCredentialsSecretRef();
        boolean valid = s3.getBucket() != null && s3.getBucket().length() >= Limits.BUCKET_MIN
                && s3.getBucket().length() <= Limits.BUCKET && BUCKET.matcher(s3.getBucket()).matches()
                && (s3.getEndpoint() == null || ENDPOINT.matcher(s3.getEndpoint()).matches())
                && (s3.getRegion() == null || REGION.matcher(s3.getRegion()).matches())
                && (s3.getPrefix() == null || PREFIX.matcher(s3.getPrefix()).matches())
                && (s3.getRedirectTtl() == null || validRedirectTtl(s3.getRedirectTtl()))
                && (ref == null || ref.getName() != null && NAME.matcher(ref.getName()).matches()
                        && KEY.matcher(orDefault(ref.getAccessKeyIdKey(), "accessKeyId")).matches()
                        && KEY.matcher(orDefault(ref.getSecretAccessKeyKey(), "secretAccessKey")).matches());
        if (!valid) {
            problems.report(subject, SPEC, "InvalidSpec", "spec.storage.s3 needs a bucket of 3 to 63 lower-case"
                    + " letters, digits, '.' and '-', an http(s)://host[:port] endpoint, a prefix without a leading '/'"
                    + " or '//', a redirectTtl from 1s to 168h and a credentialsSecretRef with a name; the namespace's"
                    + " store is chosen without it");
        }
        return valid;
    }

    private String volumeSize(List<Repository> repositories) {
        String chosen = settings.storageSize();
        for (Repository r : repositories) {
            StorageHints hints = hints(r);
            if (hints == null || hints.getSize() == null) {
                continue;
            }
            if (!SIZE.matcher(hints.getSize()).matches()) {
                problems.report(Subject.repository(r.getMetadata().getName()), SPEC, "InvalidSpec",
                        "spec.storage.size must be a size like 50Gi");
            } else if (bytes(hints.getSize()).compareTo(bytes(chosen)) > 0) {
                chosen = hints.getSize();
            }
        }
        return chosen;
    }

    private static StorageHints hints(Repository r) {
        return r.getSpec() == null ? null : r.getSpec().getStorage();
    }

    static BigDecimal bytes(String size) {
        return Quantity.getAmountInBytes(new Quantity(size));
    }

    /** A share of the volume, in whole MiB (storage.maxSize, storage.s3.localCacheSize). */
    static String share(String volumeSize, BigDecimal ratio) {
        BigDecimal mib = bytes(volumeSize).multiply(ratio)
                .divide(BigDecimal.valueOf(1024L * 1024L), 0, RoundingMode.FLOOR);
        return mib.toPlainString() + "Mi";
    }

    private static boolean validRedirectTtl(String ttl) {
        if (!DURATION.matcher(ttl).matches()) {
            return false;
        }
        try {
            Duration d = goDuration(ttl);
            return d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(MAX_REDIRECT_TTL) <= 0;
        } catch (ArithmeticException | NumberFormatException e) {
            return false; // more digits than any duration has
        }
    }

    /** A duration of the CRD's grammar (Patterns.DURATION, already checked): 0, 500ms, 90s, 1h30m. */
    static Duration goDuration(String text) {
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return total;
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
