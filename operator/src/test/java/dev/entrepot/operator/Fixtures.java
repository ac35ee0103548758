package dev.entrepot.operator;

import dev.entrepot.operator.crd.v1alpha1.common.AccessSpec;
import dev.entrepot.operator.crd.v1alpha1.common.HeadersSecretRef;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEndpoint;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationsSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.common.ServiceAccountGrant;
import dev.entrepot.operator.crd.v1alpha1.common.UserSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.CleanupPolicy;
import dev.entrepot.operator.crd.v1alpha1.repository.CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.RemoteSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositorySpec;
import dev.entrepot.operator.crd.v1alpha1.repository.S3CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StandardSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StorageHints;
import dev.entrepot.operator.crd.v1alpha1.virtual.UpstreamRef;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepositorySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Builders for the custom resources tests feed to the operator. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Repository remote(String namespace, String name, String url, String... mirrorOf) {
        RemoteSpec remote = new RemoteSpec();
        remote.setUrl(url);
        RepositorySpec spec = new RepositorySpec();
        spec.setMode(RepositoryMode.REMOTE);
        spec.setRemote(remote);
        spec.setMirrorOf(List.of(mirrorOf));
        return repository(namespace, name, spec);
    }

    public static Repository withCredentials(Repository repository, String secretName) {
        CredentialsSecretRef ref = new CredentialsSecretRef();
        ref.setName(secretName);
        repository.getSpec().getRemote().setCredentialsSecretRef(ref);
        return repository;
    }

    public static Repository withStorage(Repository repository, String size) {
        StorageHints hints = new StorageHints();
        hints.setSize(size);
        repository.getSpec().setStorage(hints);
        return repository;
    }

    /** A bucket on an S3-compatible store, path-style; secretName null: the AWS SDK's default credentials. */
    public static S3StorageSpec s3(String bucket, String endpoint, String secretName) {
        S3StorageSpec s3 = new S3StorageSpec();
        s3.setBucket(bucket);
        s3.setEndpoint(endpoint);
        s3.setPathStyle(endpoint == null ? null : true);
        s3.setCredentialsSecretRef(secretName == null ? null
                : new S3CredentialsSecretRef(secretName, "accessKeyId", "secretAccessKey"));
        return s3;
    }

    /** Sets spec.storage.s3, keeping a size hint already there. */
    public static Repository withS3(Repository repository, S3StorageSpec s3) {
        StorageHints hints = repository.getSpec().getStorage() == null ? new StorageHints()
                : repository.getSpec().getStorage();
        hints.setS3(s3);
        repository.getSpec().setStorage(hints);
        return repository;
    }

    /** An S3 key pair as spec.storage.s3.credentialsSecretRef references it by default. */
    public static Secret s3Keys(String namespace, String name, String accessKeyId, String secretAccessKey) {
        return opaque(namespace, name, Map.of("accessKeyId", accessKeyId, "secretAccessKey", secretAccessKey));
    }

    public static Repository standard(String namespace, String name, boolean immutableTags) {
        StandardSpec standard = new StandardSpec();
        standard.setImmutableTags(immutableTags);
        RepositorySpec spec = new RepositorySpec();
        spec.setMode(RepositoryMode.STANDARD);
        spec.setStandard(standard);
        return repository(namespace, name, spec);
    }

    public static Repository withCleanup(Repository standard, Boolean dryRun, Integer keepRecent, String olderThan) {
        CleanupPolicy cleanup = new CleanupPolicy();
        cleanup.setDryRun(dryRun);
        cleanup.setKeepRecent(keepRecent);
        cleanup.setDeleteUntaggedOlderThan(olderThan);
        standard.getSpec().getStandard().setCleanup(cleanup);
        return standard;
    }

    private static Repository repository(String namespace, String name, RepositorySpec spec) {
        Repository r = new Repository();
        r.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        r.setSpec(spec);
        return r;
    }

    public static VirtualRepository virtual(String namespace, String name, String pushTo, UpstreamRef... upstreams) {
        VirtualRepositorySpec spec = new VirtualRepositorySpec();
        spec.setUpstreams(List.of(upstreams));
        spec.setPushTo(pushTo);
        VirtualRepository v = new VirtualRepository();
        v.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        v.setSpec(spec);
        return v;
    }

    public static UpstreamRef upstream(String repository, int priority) {
        return new UpstreamRef(repository, priority);
    }

    public static Secret secret(String namespace, String name, String username, String password) {
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withData(Map.of("username", b64(username), "password", b64(password))).build();
    }

    /** A user Secret as spec.access references it: type kubernetes.io/basic-auth, keys username and password. */
    public static Secret basicAuth(String namespace, String name, String username, String password) {
        return new SecretBuilder(secret(namespace, name, username, password)).withType("kubernetes.io/basic-auth").build();
    }

    public static Secret tlsSecret(String namespace, String name, String certificatePem, String keyPem) {
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType("kubernetes.io/tls").withData(Map.of("tls.crt", b64(certificatePem), "tls.key", b64(keyPem)))
                .build();
    }

    /** Sets spec.access on a Repository or VirtualRepository: readers and writers by Secret name. */
    public static AccessSpec access(Boolean anonymousPull, List<String> readers, List<String> writers,
            ServiceAccountGrant... serviceAccounts) {
        AccessSpec access = new AccessSpec();
        access.setAnonymousPull(anonymousPull);
        access.setReaders(readers.stream().map(UserSecretRef::new).toList());
        access.setWriters(writers.stream().map(UserSecretRef::new).toList());
        access.setServiceAccounts(List.of(serviceAccounts));
        return access;
    }

    public static Repository withAccess(Repository repository, AccessSpec access) {
        repository.getSpec().setAccess(access);
        return repository;
    }

    public static VirtualRepository withAccess(VirtualRepository repository, AccessSpec access) {
        repository.getSpec().setAccess(access);
        return repository;
    }

    public static ServiceAccountGrant serviceAccount(String namespace, String name, Role role) {
        return new ServiceAccountGrant(namespace, name, role);
    }

    /** A spec.notifications endpoint; headersSecret null: no headers, else its key "headers". */
    public static NotificationEndpoint endpoint(String name, String url, String headersSecret,
            NotificationEvent... events) {
        return new NotificationEndpoint(name, url,
                headersSecret == null ? null : new HeadersSecretRef(headersSecret, "headers"), List.of(events));
    }

    public static Repository withNotifications(Repository repository, NotificationEndpoint... endpoints) {
        repository.getSpec().setNotifications(new NotificationsSpec(List.of(endpoints)));
        return repository;
    }

    public static VirtualRepository withNotifications(VirtualRepository repository, NotificationEndpoint... endpoints) {
        repository.getSpec().setNotifications(new NotificationsSpec(List.of(endpoints)));
        return repository;
    }

    /** An Opaque Secret holding the given keys (plain text, stored base64 as the API server does). */
    public static Secret opaque(String namespace, String name, Map<String, String> values) {
        SecretBuilder builder = new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .endMetadata().withType("Opaque");
        values.forEach((key, value) -> builder.addToData(key, b64(value)));
        return builder.build();
    }

    public static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
