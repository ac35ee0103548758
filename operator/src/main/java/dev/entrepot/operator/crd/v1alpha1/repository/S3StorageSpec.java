package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3-compatible bucket for the hosted content of the namespace's proxy (entrepot.yaml's storage.s3). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3StorageSpec {

    @Required
    @Size(min = Limits.BUCKET_MIN, max = Limits.BUCKET)
    @Pattern(Patterns.S3_BUCKET)
    @JsonPropertyDescription("An existing bucket: 3 to 63 lower-case letters, digits, '.' and '-'.")
    private String bucket;

    @Size(max = Limits.URL)
    @Pattern(Patterns.S3_ENDPOINT)
    @JsonPropertyDescription("http(s)://host[:port] of an S3-compatible store (MinIO, Ceph RGW, R2, ...);"
            + " absent: AWS, the region's endpoint.")
    private String endpoint;

    @Size(max = Limits.LABEL)
    @Pattern(Patterns.S3_REGION)
    @JsonPropertyDescription("Signing region; absent: us-east-1.")
    private String region;

    @Size(max = Limits.KEY_PREFIX)
    @Pattern(Patterns.S3_PREFIX)
    @JsonPropertyDescription("Key prefix of everything the proxy writes, e.g. cluster-a/ (several proxies, one bucket);"
            + " absent: none.")
    private String prefix;

    @JsonPropertyDescription("Address the bucket in the path (endpoint/bucket/key, as MinIO and Ceph need) rather than"
            + " in the host name (bucket.endpoint/key, AWS); absent: false.")
    private Boolean pathStyle;

    @JsonPropertyDescription("Secret holding the access key pair; absent: the AWS SDK's default chain (web identity such"
            + " as IRSA, instance profile).")
    private S3CredentialsSecretRef credentialsSecretRef;

    @JsonPropertyDescription("Answer blob GETs (not HEADs) of blobs in the bucket with a 307 redirect to a pre-signed URL"
            + " of the object, as distribution does, so blob bytes go from the bucket to clients without the proxy."
            + " Clients (the nodes' containerd) must reach the endpoint themselves, by the same host name; absent: false.")
    private Boolean redirect;

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a redirect's pre-signed URL is valid, 1s to 168h, e.g. 20m; absent: 20m.")
    private String redirectTtl;

    public String getBucket() { return bucket; }
    public void setBucket(String bucket) { this.bucket = bucket; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getRegion() { return region; }
    public void setRegion(String region) { this.region = region; }
    public String getPrefix() { return prefix; }
    public void setPrefix(String prefix) { this.prefix = prefix; }
    public Boolean getPathStyle() { return pathStyle; }
    public void setPathStyle(Boolean pathStyle) { this.pathStyle = pathStyle; }
    public Boolean getRedirect() { return redirect; }
    public void setRedirect(Boolean redirect) { this.redirect = redirect; }
    public String getRedirectTtl() { return redirectTtl; }
    public void setRedirectTtl(String redirectTtl) { this.redirectTtl = redirectTtl; }
    public S3CredentialsSecretRef getCredentialsSecretRef() { return credentialsSecretRef; }
    public void setCredentialsSecretRef(S3CredentialsSecretRef credentialsSecretRef) {
        this.credentialsSecretRef = credentialsSecretRef;
    }
}
