package dev.entrepot.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.agent.ContainerdConfigCheck.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NodeStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStatusIsJsonWhateverTheDetailHolds() throws Exception {
        String detail = "/etc/containerd/config.toml is not valid TOML:\n\tat line 1 \"[plugins\\\" \u0001";
        NodeStatus status = new NodeStatus("node-1", "/etc/containerd/certs.d",
                new ContainerdConfigCheck.Result(Verdict.UNKNOWN, null, detail), new TreeSet<>(List.of("docker.io")),
                new TreeSet<>(), List.of("notes.txt"), Instant.parse("2026-12-02T10:00:00Z"), null, false);

        JsonNode json = JSON.readTree(status.json());

        assertThat(json.path("node").asText()).isEqualTo("node-1");
        assertThat(json.path("ready").asBoolean()).isFalse();
        assertThat(json.path("containerd").path("detail").asText()).isEqualTo(detail);
        assertThat(json.path("containerd").path("verdict").asText()).isEqualTo("UNKNOWN");
        assertThat(json.path("containerd").path("configPath").isNull()).isTrue();
        assertThat(json.path("managed")).extracting(JsonNode::asText).containsExactly("docker.io");
        assertThat(json.path("backedUp")).isEmpty();
        assertThat(json.path("ignored")).extracting(JsonNode::asText).containsExactly("notes.txt");
        assertThat(json.path("lastSync").asText()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(json.path("syncError").isNull()).isTrue();
        assertThat(json.path("proxyDown").asBoolean()).isFalse();
    }

    @Test
    void aNodeNotYetCheckedHasNoContainerdVerdict() throws Exception {
        NodeStatus status = new NodeStatus("node-2", "/hosts", null, new TreeSet<>(), new TreeSet<>(), List.of(), null,
                "cannot write /hosts", true);

        JsonNode json = JSON.readTree(status.json());

        assertThat(json.path("containerd").path("verdict").isNull()).isTrue();
        assertThat(json.path("lastSync").isNull()).isTrue();
        assertThat(json.path("syncError").asText()).isEqualTo("cannot write /hosts");
        assertThat(json.path("proxyDown").asBoolean()).isTrue();
    }
}
