package dev.entrepot.operator.plan;

/** Where copies of Secret values go (the generated credentials Secret): returns the path the proxy reads. */
interface CredentialFiles {
    String file(String secretName, String key, String base64Value);
}
