package dev.entrepot.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * crds/ must hold exactly what the crd-generator-maven-plugin produced from the Java classes in
 * this build. After changing a CR class: mvn -pl operator test -Dentrepot.crds.update=true.
 */
class CrdFilesTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    private static final Path COMMITTED = Path.of("../crds");

    @Test
    void committedCrdsEqualGeneratedOnes() throws IOException {
        List<String> generated = yamlFiles(GENERATED);
        assertThat(generated).containsExactlyInAnyOrder(
                "repositories.entrepot.dev-v1.yml", "virtualrepositories.entrepot.dev-v1.yml");
        if (Boolean.getBoolean("entrepot.crds.update")) {
            for (String name : generated) {
                Files.copy(GENERATED.resolve(name), COMMITTED.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        assertThat(yamlFiles(COMMITTED)).as("CRD files in crds/").containsExactlyInAnyOrderElementsOf(generated);
        for (String name : generated) {
            assertThat(Files.readString(COMMITTED.resolve(name)))
                    .as("crds/%s is stale; regenerate with -Dentrepot.crds.update=true", name)
                    .isEqualTo(Files.readString(GENERATED.resolve(name)));
        }
    }

    @Test
    void crdsCarryValidationAndPrinterColumns() throws IOException {
        String repository = Files.readString(COMMITTED.resolve("repositories.entrepot.dev-v1.yml"));
        assertThat(repository)
                .contains("self.mode == 'remote' ? has(self.remote) : !has(self.remote)")
                .contains("name: \"MODE\"").contains("name: \"UPSTREAM\"").contains("name: \"READY\"")
                .contains("name: \"AGE\"").contains("shortNames").contains("status: {}");
        String virtual = Files.readString(COMMITTED.resolve("virtualrepositories.entrepot.dev-v1.yml"));
        assertThat(virtual).contains("maximum: 1000").contains("minItems: 1").contains("name: \"UPSTREAMS\"");
    }

    private static List<String> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted().toList();
        }
    }
}
