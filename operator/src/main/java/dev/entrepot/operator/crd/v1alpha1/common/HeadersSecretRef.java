package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Names a Secret (same namespace) and the key holding the HTTP headers sent with each notification. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeadersSecretRef {

    @Required
    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of the Secret in the repository's namespace.")
    private String name;

    @Default("headers")
    @Size(max = Limits.NAME)
    @Pattern(Patterns.SECRET_KEY)
    @JsonPropertyDescription("Key of the headers in the Secret's data: one 'Name: value' line per header (e.g."
            + " 'Authorization: Bearer ...'); blank lines and lines starting with # are skipped.")
    private String key = "headers";

    public HeadersSecretRef() {
    }

    public HeadersSecretRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
}
