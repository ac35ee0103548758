package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jws.AlgorithmIdentifiers;

/**
 * The key tokens are signed with: an RSA key from a PKCS#8 PEM file ({@code auth.token.signingKeyFile}, shared by
 * replicas; e.g. {@code openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048}), or an EC P-256 key generated
 * for this process. It also keys the HMAC that binds tokens to the password they were issued for.
 */
public final class SigningKey {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String algorithm;
    private final SecretKeySpec tagKey;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, String algorithm) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        try {
            this.tagKey = new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(privateKey.getEncoded()),
                    "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPublic(), AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a token signing key", e);
        }
    }

    /** Blocking. Throws {@link ConfigException} naming the file (never its content). */
    public static SigningKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw problem(file, "cannot read: " + e.getMessage());
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw problem(file, "no '" + BEGIN + "' block (a PKCS#8 key; convert with openssl pkcs8 -topk8 -nocrypt)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!(key instanceof RSAPrivateCrtKey rsa) || rsa.getModulus().bitLength() < 2048) {
                throw problem(file, "an RSA key of at least 2048 bits is required");
            }
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            return new SigningKey(key, publicKey, AlgorithmIdentifiers.RSA_USING_SHA256);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw problem(file, "not an unencrypted PKCS#8 RSA private key");
        }
    }

    private static ConfigException problem(Path file, String what) {
        return new ConfigException("auth", List.of("auth.token.signingKeyFile: " + file + ": " + what));
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    String algorithm() {
        return algorithm;
    }

    /** An HMAC of {@code parts} under this key, base64url: what a token may carry about a password. */
    String tag(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(tagKey);
            for (byte[] part : parts) {
                mac.update(part);
                mac.update((byte) 0);
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
