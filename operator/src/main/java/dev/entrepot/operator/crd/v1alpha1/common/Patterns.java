package dev.entrepot.operator.crd.v1alpha1.common;

/** Validation patterns shared by the CRD schemas (the proxy accepts exactly these forms). */
public final class Patterns {

    /** Go-style durations: 0, 500ms, 30s, 5m, 720h, 1h30m (the proxy's GoDuration.GRAMMAR; a contract test ties them). */
    public static final String DURATION = "^(0|([0-9]+(ms|s|m|h))+)$";

    /** Kubernetes quantities: 50Gi, 500Mi, 10G, 1048576 (the proxy's ByteSize.GRAMMAR; a contract test ties them). */
    public static final String SIZE = "^[0-9]+(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$";

    /** A registry host as containerd names it in hosts.toml: docker.io, registry.example.com:5000. */
    public static final String REGISTRY_HOST =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$";

    /**
     * What java.net.URI reads as a server: a dotted-quad IPv4 address, or a host name whose last label starts with a
     * letter.
     */
    private static final String URI_SERVER =
            "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}"
            + "|([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?\\.)*[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?)";

    /** A Kubernetes object name (DNS subdomain): Repository and Secret names. */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

    /** A namespace name (DNS label). */
    public static final String NAMESPACE = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /** A ServiceAccount name (DNS subdomain), or * for all of a namespace. */
    public static final String SERVICE_ACCOUNT_NAME = "^(\\*|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$";

    /** A key of a Secret's data. */
    public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";

    /** An absolute http(s) URL of a registry, without query or fragment. */
    public static final String REGISTRY_URL = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$";

    /** A notification endpoint's name (the proxy's NotificationsConfig.NAME): also its outbox directory. */
    public static final String ENDPOINT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /**
     * An absolute http(s) URL to post events to, with an optional query. Only what java.net.URI reads as a server
     * (a dotted-quad IPv4 address, or a host name whose last label starts with a letter) and only characters a URI
     * holds unescaped (or %XX escapes), so the proxy never refuses what the schema lets through.
     */
    public static final String ENDPOINT_URL = "^https?://" + URI_SERVER + "(:[0-9]{1,5})?"
            + "(/([-A-Za-z0-9._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)?(\\?([-A-Za-z0-9._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$";

    /**
     * An S3 bucket (the proxy's storage.s3.bucket, with the length 3 to 63 the schema bounds): dot-separated labels of
     * lower-case letters, digits and '-', each starting and ending with a letter or digit, as virtual-hosted
     * addressing needs them. Stricter than the proxy (which lets '.-' through) only where S3 refuses too.
     */
    public static final String S3_BUCKET = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** An S3-compatible endpoint, http(s)://host[:port]: only a server java.net.URI reads (as for ENDPOINT_URL). */
    public static final String S3_ENDPOINT = "^https?://" + URI_SERVER + "(:[0-9]{1,5})?/?$";

    /** A signing region: us-east-1, eu-central-1, or what an S3-compatible store calls its own (auto, garage). */
    public static final String S3_REGION = "^[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

    /**
     * A key prefix: path segments of letters, digits, '-', '_' and '.', without a leading '/' or an empty segment
     * (the proxy refuses '/x' and 'a//b'), e.g. cluster-a/ or teams/a.
     */
    public static final String S3_PREFIX = "^[-_.A-Za-z0-9]+(/[-_.A-Za-z0-9]+)*/?$";

    private Patterns() {
    }
}
