package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Secret entrepot-auth: what the operator generates for a namespace's proxy, once, and then keeps: the RSA key
 * that signs its tokens (so a restart or a new pod keeps issued tokens valid) and the password of the operator
 * user the listing in status is asked with. A value removed by hand is generated again; the others stay.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class AuthSecretDependentResource extends ProxyDependentResource<Secret> {

    private static final SecureRandom RANDOM = new SecureRandom();

    public AuthSecretDependentResource() {
        super(Secret.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.AUTH_SECRET;
    }

    @Override
    protected Secret render(NamespaceState state, Secret actual) {
        return ProxyWorkloadRenderer.authSecret(state.namespace(), keep(actual == null ? null : actual.getData()));
    }

    /** The existing values where they are present, freshly generated ones where not. */
    static SortedMap<String, String> keep(Map<String, String> existing) {
        SortedMap<String, String> data = new TreeMap<>();
        Map<String, String> current = existing == null ? Map.of() : existing;
        data.put(NamespacePlanner.TOKEN_KEY, present(current.get(NamespacePlanner.TOKEN_KEY))
                ? current.get(NamespacePlanner.TOKEN_KEY) : base64(signingKeyPem()));
        data.put(NamespacePlanner.OPERATOR_PASSWORD, present(current.get(NamespacePlanner.OPERATOR_PASSWORD))
                ? current.get(NamespacePlanner.OPERATOR_PASSWORD) : base64(password()));
        return data;
    }

    @Override
    protected boolean contentMatches(Secret actual, Secret desired) {
        return Objects.equals(actual.getData(), desired.getData());
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** PKCS#8 PEM of a new 2048-bit RSA key, the form the proxy's auth.token.signingKeyFile takes. */
    public static String signingKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has RSA", e);
        }
    }

    private static String password() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
