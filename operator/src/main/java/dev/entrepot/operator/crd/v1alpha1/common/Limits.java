package dev.entrepot.operator.crd.v1alpha1.common;

/**
 * Size bounds of the CRD schemas. The API server estimates the worst-case cost of every CEL rule
 * from these (an unbounded string counts as the whole 3 MiB request) and rejects a CRD whose
 * rules could exceed its budget, so every field a rule reads must be bounded; CelRuleBoundsTest
 * checks that.
 */
public final class Limits {

    /** Kubernetes object names and Secret keys (DNS subdomain length). */
    public static final int NAME = 253;

    /** Notification endpoint names (DNS label length). */
    public static final int LABEL = 63;

    /** Registry hosts in mirrorOf (DNS name length). */
    public static final int HOST = 253;

    /** Upstream registry and notification endpoint URLs. */
    public static final int URL = 2048;

    /** Durations (720h) and sizes (50Gi). */
    public static final int SHORT_VALUE = 32;

    /** Upstreams of a VirtualRepository; mirrorOf hosts of a repository. */
    public static final int LIST = 32;

    /** S3 bucket names: 3 to 63 characters. */
    public static final int BUCKET_MIN = 3;
    public static final int BUCKET = 63;

    /** S3 key prefixes (a key is at most 1024 bytes, and the proxy's own part of it is about 200). */
    public static final int KEY_PREFIX = 512;

    /** Longest enum value: mode standard; equalPriority fastest, ordered. */
    public static final int MODE = 8;

    private Limits() {
    }
}
