package dev.entrepot.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.entrepot.operator.crd.v1alpha1.common.Limits;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;

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
        assertThat(virtual).contains("maximum: 1000").contains("minItems: 1").contains("name: \"UPSTREAMS\"")
                .contains("name: \"MEMBERS\"");
    }

    /** What the proxy's loader requires of a cleanup block, the API server checks first. */
    @Test
    void cleanupPolicyIsValidatedByTheSchema() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(COMMITTED.resolve("repositories.entrepot.dev-v1.yml")), CustomResourceDefinition.class);
        JSONSchemaProps cleanup = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec").getProperties().get("standard").getProperties().get("cleanup");

        assertThat(cleanup.getRequired()).containsExactly("deleteUntaggedOlderThan");
        JSONSchemaProps olderThan = cleanup.getProperties().get("deleteUntaggedOlderThan");
        assertThat(olderThan.getPattern()).isEqualTo(Patterns.DURATION);
        assertThat(olderThan.getMaxLength()).isEqualTo(Limits.SHORT_VALUE);
        assertThat(cleanup.getProperties().get("dryRun").getDefault()).hasToString("true");
        assertThat(cleanup.getProperties().get("keepRecent").getMinimum()).isZero();
        assertThat(cleanup.getProperties().get("keepRecent").getMaximum()).isEqualTo((double) Integer.MAX_VALUE);
    }

    /** The proxy reads resolutionTtl as a duration and equalPriority as one of two words: so does the schema. */
    @Test
    void resolutionSettingsAreValidatedByTheSchema() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(COMMITTED.resolve("virtualrepositories.entrepot.dev-v1.yml")), CustomResourceDefinition.class);
        JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec");

        JSONSchemaProps ttl = spec.getProperties().get("resolutionTtl");
        assertThat(ttl.getPattern()).isEqualTo(Patterns.DURATION);
        assertThat(ttl.getMaxLength()).isEqualTo(Limits.SHORT_VALUE);
        JSONSchemaProps equalPriority = spec.getProperties().get("equalPriority");
        assertThat(equalPriority.getEnum()).extracting(JsonNode::asText).containsExactlyInAnyOrder("fastest", "ordered");
        assertThat(equalPriority.getMaxLength()).isEqualTo(Limits.MODE);
    }

    /** What the proxy's loader requires of storage.s3, the API server checks first. */
    @Test
    void s3StorageIsValidatedByTheSchema() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(COMMITTED.resolve("repositories.entrepot.dev-v1.yml")), CustomResourceDefinition.class);
        JSONSchemaProps s3 = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
                .get("spec").getProperties().get("storage").getProperties().get("s3");

        assertThat(s3.getRequired()).containsExactly("bucket");
        JSONSchemaProps bucket = s3.getProperties().get("bucket");
        assertThat(bucket.getPattern()).isEqualTo(Patterns.S3_BUCKET);
        assertThat(bucket.getMinLength()).isEqualTo(3L);
        assertThat(bucket.getMaxLength()).isEqualTo(63L);
        assertThat(s3.getProperties().get("endpoint").getPattern()).isEqualTo(Patterns.S3_ENDPOINT);
        assertThat(s3.getProperties().get("prefix").getPattern()).isEqualTo(Patterns.S3_PREFIX);
        assertThat(s3.getProperties().get("region").getPattern()).isEqualTo(Patterns.S3_REGION);
        assertThat(s3.getProperties().get("pathStyle").getType()).isEqualTo("boolean");
        assertThat(s3.getProperties().get("redirect").getType()).isEqualTo("boolean");
        assertThat(s3.getProperties().get("redirectTtl").getPattern()).isEqualTo(Patterns.DURATION);
        JSONSchemaProps credentials = s3.getProperties().get("credentialsSecretRef");
        assertThat(credentials.getRequired()).containsExactly("name");
        assertThat(credentials.getProperties().get("accessKeyIdKey").getDefault()).hasToString("\"accessKeyId\"");
        assertThat(credentials.getProperties().get("secretAccessKeyKey").getDefault())
                .hasToString("\"secretAccessKey\"");
    }

    /** What the proxy's loader requires of an endpoint, the API server checks first, on both kinds. */
    @Test
    void notificationsAreValidatedByTheSchema() throws IOException {
        for (String name : List.of("repositories.entrepot.dev-v1.yml", "virtualrepositories.entrepot.dev-v1.yml")) {
            CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(COMMITTED.resolve(name)),
                    CustomResourceDefinition.class);
            JSONSchemaProps notifications = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                    .getProperties().get("spec").getProperties().get("notifications");
            assertThat(notifications.getXKubernetesValidations()).as("%s: endpoint names unique", name)
                    .extracting(r -> r.getMessage())
                    .containsExactly("each endpoint name may appear only once in notifications.endpoints");
            JSONSchemaProps endpoint = notifications.getProperties().get("endpoints").getItems().getSchema();
            assertThat(endpoint.getRequired()).containsExactlyInAnyOrder("name", "url");
            assertThat(endpoint.getProperties().get("name").getPattern()).isEqualTo(Patterns.ENDPOINT_NAME);
            assertThat(endpoint.getProperties().get("name").getMaxLength()).isEqualTo(Limits.LABEL);
            assertThat(endpoint.getProperties().get("url").getPattern()).isEqualTo(Patterns.ENDPOINT_URL);
            assertThat(endpoint.getProperties().get("events").getItems().getSchema().getEnum())
                    .extracting(JsonNode::asText).containsExactlyInAnyOrder("insert", "delete", "cached");
            JSONSchemaProps headers = endpoint.getProperties().get("headersSecretRef");
            assertThat(headers.getRequired()).containsExactly("name");
            assertThat(headers.getProperties().get("key").getDefault()).hasToString("\"headers\"");
        }
    }

    /** CRD docs (kubectl explain) come from @JsonPropertyDescription: every field below spec and status has one. */
    @Test
    void everyFieldIsDocumented() throws IOException {
        for (String name : yamlFiles(COMMITTED)) {
            CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(COMMITTED.resolve(name)),
                    CustomResourceDefinition.class);
            JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
            List<String> undocumented = new ArrayList<>();
            List<String> documented = new ArrayList<>();
            for (String top : List.of("spec", "status")) {
                assertThat(root.getProperties()).as("%s has %s", name, top).containsKey(top);
                walk(top, root.getProperties().get(top), documented, undocumented);
            }
            assertThat(undocumented).as("fields without description in %s", name).isEmpty();
            assertThat(documented).as("fields in %s", name).hasSizeGreaterThan(12);
        }
    }

    @Test
    void crdsDeclareKindsScopeAndStatusSubresource() throws IOException {
        for (String name : yamlFiles(COMMITTED)) {
            CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(COMMITTED.resolve(name)),
                    CustomResourceDefinition.class);
            assertThat(crd.getSpec().getGroup()).isEqualTo("entrepot.dev");
            assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
            assertThat(crd.getSpec().getNames().getShortNames()).hasSize(1);
            var version = crd.getSpec().getVersions().get(0);
            assertThat(version.getName()).isEqualTo("v1alpha1");
            assertThat(version.getSubresources().getStatus()).isNotNull();
            boolean repository = crd.getSpec().getNames().getKind().equals("Repository");
            assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
                    .containsExactlyInAnyOrderElementsOf(repository
                            ? List.of("AGE", "MODE", "READY", "UPSTREAM", "IMAGES", "SIZE")
                            : List.of("AGE", "MODE", "READY", "UPSTREAMS", "MEMBERS", "IMAGES", "SIZE"));
            assertThat(version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getXKubernetesValidations())
                    .as("CEL rules on spec").hasSize(2);
        }
    }

    private static void walk(String path, JSONSchemaProps schema, List<String> documented, List<String> undocumented) {
        Map<String, JSONSchemaProps> properties = schema.getItems() != null && schema.getItems().getSchema() != null
                ? schema.getItems().getSchema().getProperties() : schema.getProperties();
        if (properties == null) {
            return;
        }
        properties.forEach((field, child) -> {
            String childPath = path + "." + field;
            (child.getDescription() == null || child.getDescription().isBlank() ? undocumented : documented)
                    .add(childPath);
            walk(childPath, child, documented, undocumented);
        });
    }

    private static List<String> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted().toList();
        }
    }
}
