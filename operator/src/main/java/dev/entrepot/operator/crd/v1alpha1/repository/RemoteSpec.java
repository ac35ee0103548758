package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The upstream registry a remote Repository caches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RemoteSpec {

    @Required
    @Size(max = Limits.URL)
    @Pattern(Patterns.REGISTRY_URL)
    @JsonPropertyDescription("Base URL of the upstream registry, e.g. https://registry-1.docker.io.")
    private String url;

    @JsonPropertyDescription("Secret in the same namespace holding upstream credentials; anonymous access when absent.")
    private CredentialsSecretRef credentialsSecretRef;

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a tag-to-digest answer is served from cache before revalidation, e.g. 5m. Operator default when absent.")
    private String tagTtl;

    @Size(max = Limits.SHORT_VALUE)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Content not pulled for this long may be evicted, e.g. 720h. Operator default when absent.")
    private String retention;

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public CredentialsSecretRef getCredentialsSecretRef() { return credentialsSecretRef; }
    public void setCredentialsSecretRef(CredentialsSecretRef credentialsSecretRef) { this.credentialsSecretRef = credentialsSecretRef; }
    public String getTagTtl() { return tagTtl; }
    public void setTagTtl(String tagTtl) { this.tagTtl = tagTtl; }
    public String getRetention() { return retention; }
    public void setRetention(String retention) { this.retention = retention; }
}
