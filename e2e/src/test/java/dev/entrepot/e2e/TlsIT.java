package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ManagedProcess;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.Ports;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * HTTPS on the proxy port from the {@code tls} block, with a certificate of a CA generated here (openssl): skopeo with
 * {@code --cert-dir} and TLS verification on (token flow included: the realm is https too), containerd trusting it
 * through {@code ca} in hosts.toml, plain HTTP gone from the port, and a rotated certificate served without restart.
 */
class TlsIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static Path pki;
    private static Path certDir;
    private static ImageGenerator images;
    private static Upstream upstream;
    private static Image nodeImage;
    private static int port;
    private static ManagedProcess proxy;
    private static HttpClient https;

    @BeforeAll
    static void setUp() throws Exception {
        work = WorkDirs.forClass(TlsIT.class);
        pki = Files.createDirectories(work.resolve("pki"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=entrepot-e2e-ca");
        issue("tls", "entrepot-first");
        certDir = Files.createDirectories(work.resolve("certs.d"));
        Files.copy(pki.resolve("ca.crt"), certDir.resolve("ca.crt"));
        https = HttpClient.newBuilder().sslContext(trusting(pki.resolve("ca.crt")))
                .connectTimeout(Duration.ofSeconds(2)).build();

        images = ImageGenerator.create(work.resolve("layout"));
        images.tag("app", images.image("tls-app", "amd64", 300_000).manifest());
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        nodeImage = upstream.images().image("tls-node", "amd64", 200_000);
        upstream.push(nodeImage.manifest(), "library/tlsimg:1");

        Path password = Files.writeString(work.resolve("ci.password"), "ci-tls-pass\n");
        ProxyConfig config = new ProxyConfig()
                .remote("hub", upstream.url().toString(), "1h", "docker.io")
                .standard("team", false, null)
                .authBlock("""
                        auth:
                          anonymousPull: true
                          token: {}
                          users: [{name: ci, passwordFile: %s, role: writer}]
                        """.formatted(password))
                .tls(pki.resolve("tls.crt"), pki.resolve("tls.key"));
        Path configFile = work.resolve("entrepot.yaml");
        Files.writeString(configFile, config.yaml(work.resolve("store").toString()));
        port = Ports.free();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dentrepot.config=" + configFile, "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.tls.entrepot.reload-period=1s", "-jar", EntrepotProxy.jar().toAbsolutePath().toString()));
        proxy = TEARDOWN.add(ManagedProcess.start("entrepot-tls:" + port, command, work.resolve("proxy.log"), Map.of()));
        Poll.until(Duration.ofSeconds(60), () -> {
            if (!proxy.isAlive()) {
                throw new AssertionError("proxy exited:\n" + proxy.logTail(40));
            }
            return status("/q/health/ready") == 200;
        }, () -> "https readiness\n" + proxy.logTail(30));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void skopeoPushesAndPullsWithTheCaAndTlsVerificationOn() {
        String ref = "docker://127.0.0.1:" + port + "/team/app:1";
        skopeo("copy", "--dest-cert-dir", certDir.toString(), "--dest-tls-verify=true", "--dest-creds", "ci:ci-tls-pass",
                images.ociRef("app"), ref).requireOk();
        skopeo("copy", "--src-cert-dir", certDir.toString(), "--src-tls-verify=true", ref,
                "oci:" + work.resolve("pulled") + ":1").requireOk();
        Exec.Result untrusted = skopeo("inspect", "--tls-verify=true", "--cert-dir", work.resolve("empty").toString(), ref);
        assertThat(untrusted.ok()).as("%s", untrusted).isFalse();
        assertThat(untrusted.stderr()).contains("certificate");
        assertThat(status("/v2/")).as("the token flow's challenge").isEqualTo(401);
    }

    @Test
    void plainHttpIsGoneFromThePort() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> response = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("a TLS port answers no plain HTTP request").isEqualTo(400);
        } catch (IOException expected) {
            // the TLS handshake fails on a plain request: the connection closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void containerdTrustsTheProxyThroughCaInHostsToml() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        Containerd containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));
        Path hosts = containerd.writeHosts("docker.io", "127.0.0.1:1");
        Files.writeString(hosts.resolve("docker.io/hosts.toml"), """
                server = "https://127.0.0.1:1"

                [host."https://127.0.0.1:%d"]
                  capabilities = ["pull", "resolve"]
                  ca = "%s"
                """.formatted(port, pki.resolve("ca.crt")));
        Exec.Result pulled = containerd.ctr("images", "pull", "--snapshotter", "native", "--hosts-dir", hosts.toString(),
                "docker.io/library/tlsimg:1");
        assertThat(pulled.ok()).as("%s\n%s", pulled, containerd.logTail(20)).isTrue();
    }

    @Test
    void aRotatedCertificateIsServedWithoutRestart() throws Exception {
        long pid = proxy.pid();
        assertThat(servedSubject()).contains("entrepot-first");
        issue("next", "entrepot-rotated");
        // as a Secret mount changes: both files replaced
        Files.move(pki.resolve("next.key"), pki.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(pki.resolve("next.crt"), pki.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        Poll.until(Duration.ofSeconds(30), () -> servedSubject().contains("entrepot-rotated"),
                () -> "the rotated certificate served\n" + proxy.logTail(20));
        assertThat(proxy.pid()).isEqualTo(pid);
        assertThat(status("/q/health/ready")).isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** A key and a certificate for 127.0.0.1 and localhost, signed by the CA. */
    private static void issue(String name, String commonName) throws IOException {
        Files.writeString(pki.resolve(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + commonName);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new AssertionError("openssl failed: " + command + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Exec.Result skopeo(String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        command.addAll(List.of(args));
        return Exec.run(Duration.ofMinutes(3), command);
    }

    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static int status(String path) {
        try {
            return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The subject of the certificate the proxy serves now (a new connection each time). */
    private static String servedSubject() {
        try {
            HttpClient fresh = HttpClient.newBuilder().sslContext(trusting(pki.resolve("ca.crt")))
                    .connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> response = fresh.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            X509Certificate served = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            return served.getSubjectX500Principal().getName();
        } catch (IOException | GeneralSecurityException e) {
            return "(" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }
}
