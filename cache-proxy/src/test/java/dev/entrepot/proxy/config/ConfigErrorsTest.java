package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a person sees for a bad entrepot.yaml: every problem at once, the path, the line, no Java names. */
class ConfigErrorsTest {

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml), ConfigException.class);
        assertThat(e).as("expected a refusal of%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).doesNotContain("dev.entrepot", "EntrepotConfig", "$", "Exception");
        return e.problems();
    }

    @Test
    void everyShapeProblemIsReportedTogetherWithTheLineOfItsKey() {
        assertThat(problems("""
                storage:
                  pth: /data
                  maxSize: lots
                repositories:
                  - name: hub
                    mode: remot
                    remote:
                      url: https://registry-1.docker.io
                      tagTtl: often
                    mirrorOf: docker.io
                auth:
                  anonymousPull: maybe
                """)).containsExactly(
                "storage.pth: unknown field 'pth' (did you mean 'path'?); known here: path, maxSize, uploadExpiry, gc, "
                        + "type, s3 (line 2)",
                "storage.maxSize: invalid size 'lots' (expected e.g. 50Gi, 500Mi, 10G) (line 3)",
                "repositories[0].mode: 'remot' is not one of remote, standard, virtual (did you mean 'remote'?) (line 6)",
                "repositories[0].remote.tagTtl: invalid duration 'often' (expected e.g. 30s, 5m, 1h30m, 720h) (line 9)",
                "repositories[0].mirrorOf: expected a list (line 10)",
                "auth.anonymousPull: expected true or false, got 'maybe' (line 12)");
    }

    @Test
    void aMappingWhereAValueBelongsIsSaidInWords() {
        assertThat(problems("""
                repositories:
                  - name: {first: hub}
                    mode: remote
                    remote: https://example.com
                """)).containsExactly(
                "repositories[0].name: expected a single value, not a mapping (line 2)",
                "repositories[0].remote: expected a mapping of fields (line 4)");
    }

    @Test
    void farFetchedNamesGetNoSuggestion() {
        assertThat(problems("repositories: []\nzebra: 1\n")).singleElement().asString()
                .startsWith("zebra: unknown field 'zebra'; known here:");
    }

    @Test
    void wholeNumbersAreChecked() {
        assertThat(problems("""
                repositories:
                  - {name: v, mode: virtual, virtual: {upstreams: [{repository: a, priority: high}]}}
                """)).containsExactly(
                "repositories[0].virtual.upstreams[0].priority: expected a whole number, got 'high' (line 2)");
    }

    @Test
    void theNearestNameIsFoundDespiteCase() {
        assertThat(SchemaCheck.nearest("mirrorof", List.of("name", "mode", "mirrorOf"))).isEqualTo("mirrorOf");
        assertThat(SchemaCheck.nearest("credential", List.of("url", "credentials"))).isEqualTo("credentials");
        assertThat(SchemaCheck.nearest("xyz", List.of("url", "credentials"))).isNull();
    }
}
