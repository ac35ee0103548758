package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Names a Secret (same namespace) and the keys holding the upstream username and password. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsSecretRef {

    @Required
    @Size(max = Limits.NAME)
    @Pattern(Patterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of the Secret in the Repository's namespace.")
    private String name;

    @Default("username")
    @Size(max = Limits.NAME)
    @Pattern(Patterns.SECRET_KEY)
    @JsonPropertyDescription("Key of the username in the Secret's data.")
    private String usernameKey = "username";

    @Default("password")
    @Size(max = Limits.NAME)
    @Pattern(Patterns.SECRET_KEY)
    @JsonPropertyDescription("Key of the password (or token) in the Secret's data.")
    private String passwordKey = "password";

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getUsernameKey() { return usernameKey; }
    public void setUsernameKey(String usernameKey) { this.usernameKey = usernameKey; }
    public String getPasswordKey() { return passwordKey; }
    public void setPasswordKey(String passwordKey) { this.passwordKey = passwordKey; }
}
