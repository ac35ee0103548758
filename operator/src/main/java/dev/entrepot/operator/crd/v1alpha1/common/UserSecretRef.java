package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A proxy user: a Secret of type kubernetes.io/basic-auth in the repository's namespace. */
public class UserSecretRef {

    @Required
    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret of type kubernetes.io/basic-auth; its username key is the user name,"
            + " its password key the password (plain, or a bcrypt hash such as htpasswd -nbB writes).")
    private String secretRef;

    public UserSecretRef() {
    }

    public UserSecretRef(String secretRef) {
        this.secretRef = secretRef;
    }

    public String getSecretRef() { return secretRef; }
    public void setSecretRef(String secretRef) { this.secretRef = secretRef; }
}
