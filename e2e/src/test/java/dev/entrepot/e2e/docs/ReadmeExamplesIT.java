package dev.entrepot.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.Ports;
import dev.entrepot.e2e.support.WorkDirs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's examples start as written: the minimal {@code entrepot.yaml} (the yaml block after the marker
 * {@code minimal-entrepot-yaml}) is copied byte for byte and the proxy started with it, in a directory of its own (its
 * {@code ./data} is relative), the way the README says to start it.
 */
class ReadmeExamplesIT {
    private static final String MARKER = "minimal-entrepot-yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theMinimalEntrepotYamlStartsAsWritten() throws Exception {
        String yaml = Readme.read(Readme.sourceRoot().resolve("README.md")).blockAfter(MARKER, "yaml");
        Path work = WorkDirs.forClass(ReadmeExamplesIT.class);
        Path config = Files.writeString(work.resolve("entrepot.yaml"), yaml);
        int port = Ports.free();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dentrepot.config=entrepot.yaml", "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-jar", EntrepotProxy.jar().toAbsolutePath().toString())
                .directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("proxy.log").toFile()).start();
        try {
            OciClient client = new OciClient(URI.create("http://127.0.0.1:" + port));
            Poll.until(Duration.ofSeconds(60), () -> {
                assertThat(process.isAlive()).as("the proxy runs with %s:%n%s", config, log(work)).isTrue();
                try {
                    return client.get("/q/health/ready", null).status() == 200;
                } catch (RuntimeException e) {
                    return false;
                }
            }, () -> "readiness of the proxy started with the README's minimal entrepot.yaml\n" + log(work));

            JsonNode ready = JSON.readTree(client.get("/q/health/ready", null).body()).get("checks").get(0).get("data");
            assertThat(ready.get("served").asText()).isEqualTo("dockerhub,team");
            assertThat(ready.get("config").asText()).isEqualTo("entrepot.yaml");
            assertThat(Files.isDirectory(work.resolve("data/blobs"))).as("the store in ./data").isTrue();
            assertThat(client.get("/v2/", null).status()).isEqualTo(200);
            // the hosted repository takes pushes, as its comment says
            OciClient.Response upload = client.send("POST", "/v2/team/app/blobs/uploads/", Map.of(), new byte[0],
                    Duration.ofSeconds(10));
            assertThat(upload.status()).as("%s", upload).isEqualTo(202);
            assertThat(log(work)).doesNotContain(" ERROR ");
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String log(Path work) {
        try {
            List<String> lines = Files.readAllLines(work.resolve("proxy.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
