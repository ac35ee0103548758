package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Names a Secret (same namespace) and the keys holding an S3 access key pair. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3CredentialsSecretRef {

    @Required
    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of the Secret in the Repository's namespace.")
    private String name;

    @Default("accessKeyId")
    @Size(max = Limits.NAME)
    @Pattern(Patterns.SECRET_KEY)
    @JsonPropertyDescription("Key of the access key id in the Secret's data.")
    private String accessKeyIdKey = "accessKeyId";

    @Default("secretAccessKey")
    @Size(max = Limits.NAME)
    @Pattern(Patterns.SECRET_KEY)
    @JsonPropertyDescription("Key of the secret access key in the Secret's data.")
    private String secretAccessKeyKey = "secretAccessKey";

    public S3CredentialsSecretRef() {
    }

    public S3CredentialsSecretRef(String name, String accessKeyIdKey, String secretAccessKeyKey) {
        this.name = name;
        this.accessKeyIdKey = accessKeyIdKey;
        this.secretAccessKeyKey = secretAccessKeyKey;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getAccessKeyIdKey() { return accessKeyIdKey; }
    public void setAccessKeyIdKey(String accessKeyIdKey) { this.accessKeyIdKey = accessKeyIdKey; }
    public String getSecretAccessKeyKey() { return secretAccessKeyKey; }
    public void setSecretAccessKeyKey(String secretAccessKeyKey) { this.secretAccessKeyKey = secretAccessKeyKey; }
}
