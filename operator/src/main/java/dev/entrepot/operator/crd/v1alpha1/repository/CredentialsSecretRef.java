package dev.entrepot.operator.crd.v1alpha1.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Names a Secret (same namespace) and the keys holding the upstream username and password. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsSecretRef {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the Secret in the Repository's namespace.")
    private String name;

    @Default("username")
    @Pattern("^[-._a-zA-Z0-9]+$")
    @JsonPropertyDescription("Key of the username in the Secret's data.")
    private String usernameKey = "username";

    @Default("password")
    @Pattern("^[-._a-zA-Z0-9]+$")
    @JsonPropertyDescription("Key of the password (or token) in the Secret's data.")
    private String passwordKey = "password";

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getUsernameKey() { return usernameKey; }
    public void setUsernameKey(String usernameKey) { this.usernameKey = usernameKey; }
    public String getPasswordKey() { return passwordKey; }
    public void setPasswordKey(String passwordKey) { this.passwordKey = passwordKey; }
}
