package dev.entrepot.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Stands for kube-apiserver's CEL cost check at CRD creation, which fabric8's mock server does not
 * make: a rule reading an unbounded field made a real v1.32 server reject the VirtualRepository
 * CRD ("estimated rule cost exceeds budget"), so nobody could install it.
 */
class CelRuleBoundsTest {

    private static final Path CRDS = Path.of("../crds");

    private static JSONSchemaProps schema(String file) throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(CRDS.resolve(file)),
                CustomResourceDefinition.class);
        return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    }

    @Test
    void everyFieldACelRuleReadsIsBounded() throws IOException {
        for (String file : List.of("repositories.entrepot.dev-v1.yml", "virtualrepositories.entrepot.dev-v1.yml")) {
            CelRuleLint.Report report = CelRuleLint.lint(schema(file));
            assertThat(report.rules()).as("CEL rules in %s: two on spec, one on spec.notifications", file)
                    .hasSize(3).contains("self.endpoints.all(e, self.endpoints.exists_one(f, f.name == e.name))");
            assertThat(report.findings()).as("unbounded or unknown fields read by CEL rules in %s", file).isEmpty();
            assertThat(report.maxRuleCost()).as("pessimistic cost of the costliest rule in %s", file)
                    .isLessThan(CelRuleLint.RULE_LIMIT / 10);
            assertThat(report.totalCost()).isLessThan(CelRuleLint.CRD_LIMIT / 10);
        }
    }

    /** The CRD as it was when the server rejected it: no maxLength on the names the rules compare. */
    @Test
    void theRejectedVirtualRepositorySchemaFails() throws IOException {
        JSONSchemaProps root = schema("virtualrepositories.entrepot.dev-v1.yml");
        JSONSchemaProps spec = root.getProperties().get("spec");
        spec.getProperties().get("pushTo").setMaxLength(null);
        spec.getProperties().get("upstreams").getItems().getSchema().getProperties().get("repositoryRef")
                .setMaxLength(null);

        CelRuleLint.Report report = CelRuleLint.lint(root);

        assertThat(report.findings()).extracting(CelRuleLint.Finding::toString)
                .anySatisfy(f -> assertThat(f).startsWith(".spec.pushTo [").endsWith("string without maxLength or enum"))
                .anySatisfy(f -> assertThat(f).startsWith(".spec.upstreams[].repositoryRef [")
                        .endsWith("string without maxLength or enum"))
                .anySatisfy(f -> assertThat(f).contains("exists_one").contains("exceeds"));
        // The server said 32.2x for the exists_one rule; the lint is pessimistic, never lenient.
        assertThat(report.maxRuleCost()).isGreaterThan(32 * CelRuleLint.RULE_LIMIT);
        assertThat(report.totalCost()).isGreaterThan(CelRuleLint.CRD_LIMIT);
    }

    @Test
    void unboundedListsMapsAndUnknownFieldsAreReported() {
        JSONSchemaProps name = new JSONSchemaPropsBuilder().withType("string").withMaxLength(63L).build();
        JSONSchemaProps root = new JSONSchemaPropsBuilder().withType("object")
                .addToProperties("names", new JSONSchemaPropsBuilder().withType("array").withNewItems()
                        .withSchema(name).endItems().build())
                .addToProperties("labels", new JSONSchemaPropsBuilder().withType("object")
                        .withNewAdditionalProperties().withSchema(name).endAdditionalProperties().build())
                .addToProperties("mode", new JSONSchemaPropsBuilder().withType("string")
                        .withEnum(List.of(Serialization.jsonMapper().valueToTree("remote"))).build())
                .addToXKubernetesValidations(
                        new ValidationRuleBuilder().withRule("self.names.all(n, n != self.mode)").build(),
                        new ValidationRuleBuilder().withRule("self.labels == oldSelf.labels").build(),
                        new ValidationRuleBuilder().withRule("has(self.nmae) || self.mode == 'remote'").build())
                .build();

        List<String> findings = CelRuleLint.lint(root).findings().stream().map(CelRuleLint.Finding::toString).toList();

        assertThat(findings).contains(
                ".names [self.names.all(n, n != self.mode)]: list without maxItems is iterated",
                ".labels [self.labels == oldSelf.labels]: map without maxProperties",
                "<root> [has(self.nmae) || self.mode == 'remote']: no field nmae");
        assertThat(findings).filteredOn(f -> f.contains("exceeds")).hasSize(2);
        assertThat(findings).noneMatch(f -> f.contains("self.mode ==") && !f.contains("nmae"));
    }

    @Test
    void presenceChecksNeedNoBound() {
        JSONSchemaProps root = new JSONSchemaPropsBuilder().withType("object")
                .withProperties(Map.of("remote", new JSONSchemaPropsBuilder().withType("object")
                        .addToProperties("url", new JSONSchemaPropsBuilder().withType("string").build()).build()))
                .addToXKubernetesValidations(new ValidationRuleBuilder().withRule("has(self.remote)").build())
                .build();

        assertThat(CelRuleLint.lint(root).findings()).isEmpty();
    }
}
