package dev.entrepot.operator.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate made with the JDK's keytool (no test dependency), as the server side of TLS tests:
 * the PEM a TLS Secret's tls.crt would hold and an SSLContext serving it.
 */
final class TestCertificate {

    private static final char[] PASSWORD = "changeit".toCharArray();

    final String pem;
    final SSLContext serverContext;

    private TestCertificate(String pem, SSLContext serverContext) {
        this.pem = pem;
        this.serverContext = serverContext;
    }

    static TestCertificate create(Path dir, String commonName) throws IOException, InterruptedException,
            GeneralSecurityException {
        Path store = dir.resolve(commonName + ".p12");
        run(List.of("keytool", "-genkeypair", "-alias", "proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + commonName, "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)), dir);
        Path pem = dir.resolve(commonName + ".crt");
        run(List.of("keytool", "-exportcert", "-rfc", "-alias", "proxy", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-file", pem.toString()), dir);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return new TestCertificate(Files.readString(pem, StandardCharsets.US_ASCII), context);
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
