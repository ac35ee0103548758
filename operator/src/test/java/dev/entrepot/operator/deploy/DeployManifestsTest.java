package dev.entrepot.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.render.ProxyConfig;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/ is what users apply, so it is checked against the code: every file parses, the
 * ClusterRole grants exactly the calls the operator makes ({@link OperatorRbac}), the operator
 * Deployment only sets configuration the operator knows, the samples plan without problems and
 * the dashboard only queries metrics the proxy exports.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("../deploy");
    private static final String KUSTOMIZATION = "kustomization.yaml";
    private static final String NAMESPACE = "entrepot-system";
    /** Prometheus names of the proxy metrics (DESIGN.md); timers add _sum, _count and _max. */
    private static final Set<String> PROXY_METRICS = Set.of("entrepot_requests_total", "entrepot_served_bytes_total",
            "entrepot_upstream_requests_total", "entrepot_upstream_duration_seconds",
            "entrepot_upstream_fetched_bytes_total", "entrepot_coalesced_requests_total", "entrepot_store_bytes",
            "entrepot_store_evictions_total");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static Map<Path, List<HasMetadata>> manifests;

    @BeforeAll
    static void load() throws IOException {
        SERIALIZATION.registerKubernetesResource(Repository.class);
        SERIALIZATION.registerKubernetesResource(VirtualRepository.class);
        manifests = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !isKustomize(f)).sorted().toList()) {
                Object parsed = SERIALIZATION.unmarshal(Files.readString(file));
                List<HasMetadata> objects = new ArrayList<>();
                if (parsed instanceof List<?> list) {
                    list.forEach(o -> objects.add((HasMetadata) o));
                } else {
                    objects.add((HasMetadata) parsed);
                }
                manifests.put(DEPLOY.relativize(file), objects);
            }
        }
    }

    /** kustomize's own files: the kustomization and its transformer configuration, not Kubernetes objects. */
    private static boolean isKustomize(Path file) {
        Path relative = DEPLOY.relativize(file);
        return relative.toString().equals(KUSTOMIZATION) || relative.startsWith("kustomizeconfig");
    }

    private static List<HasMetadata> installed() {
        return manifests.entrySet().stream().filter(e -> e.getKey().getNameCount() == 1)
                .flatMap(e -> e.getValue().stream()).toList();
    }

    private static <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = installed().stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("exactly one %s in deploy/*.yaml", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyManifestParsesIntoTypedObjects() {
        assertThat(manifests.keySet()).map(Path::toString).contains("00-namespace.yaml", "10-rbac.yaml",
                "20-operator.yaml", "30-grafana-dashboard.yaml", "samples/10-dockerhub.yaml");
        manifests.forEach((file, objects) -> {
            assertThat(objects).as(file.toString()).isNotEmpty();
            objects.forEach(o -> {
                assertThat(o).as("%s: %s is a known kind", file, o.getKind())
                        .isNotInstanceOf(GenericKubernetesResource.class);
                assertThat(o.getMetadata().getName()).as("%s: name", file).isNotBlank();
            });
        });
        // kubectl applies files in name order: the namespace must come before what lives in it.
        assertThat(manifests.get(Path.of("00-namespace.yaml"))).singleElement()
                .satisfies(n -> assertThat(n.getMetadata().getName()).isEqualTo(NAMESPACE));
        installed().stream().filter(o -> !(o instanceof Namespace) && !(o instanceof ClusterRole)
                && !(o instanceof ClusterRoleBinding))
                .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo(NAMESPACE));
        assertThat(installed()).as("custom resources stay out of the first apply (their CRDs are not established yet)")
                .noneMatch(o -> o instanceof Repository || o instanceof VirtualRepository);
    }

    private static ClusterRole clusterRole(String name) {
        return installed().stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void clusterRoleGrantsExactlyWhatTheOperatorUses() {
        assertThat(installed()).filteredOn(ClusterRole.class::isInstance).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder("entrepot-operator", ProxyWorkloadRenderer.TOKEN_REVIEW_ROLE);
        assertThat(OperatorRbac.granted(clusterRole("entrepot-operator"))).isEqualTo(OperatorRbac.needed());
    }

    /** The role the operator binds to a proxy while ServiceAccount auth is on: TokenReviews, nothing else. */
    @Test
    void theProxysRoleOnlyChecksServiceAccountTokens() {
        assertThat(OperatorRbac.granted(clusterRole(ProxyWorkloadRenderer.TOKEN_REVIEW_ROLE)))
                .containsExactly(new OperatorRbac.Grant("authentication.k8s.io", "tokenreviews", "create", null));
    }

    @Test
    void bindingGivesTheRoleToTheOperatorsServiceAccount() {
        ClusterRoleBinding binding = one(ClusterRoleBinding.class);
        ServiceAccount account = one(ServiceAccount.class);
        Deployment operator = one(Deployment.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo("entrepot-operator");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
        assertThat(operator.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
    }

    @Test
    void operatorDeploymentRunsTheJibImageWithKnownSettings() throws IOException {
        Deployment operator = one(Deployment.class);
        Container container = operator.getSpec().getTemplate().getSpec().getContainers().get(0);
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertThat(container.getImage()).startsWith(property(properties, "quarkus.container-image.group") + "/"
                + property(properties, "quarkus.container-image.name") + ":");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        assertThat(operator.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/path", "/q/metrics");

        Set<String> known = OperatorRbac.configEnvNames();
        assertThat(known).contains("ENTREPOT_OPERATOR_PROXY_IMAGE", "ENTREPOT_OPERATOR_NAMESPACES",
                "ENTREPOT_OPERATOR_PROXY_STORAGE_SIZE");
        assertThat(container.getEnv()).extracting(EnvVar::getName)
                .as("every env var is an operator setting").isNotEmpty().allMatch(known::contains);
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("ENTREPOT_OPERATOR_PROXY_IMAGE"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).startsWith("entrepot/cache-proxy:"));
    }

    /**
     * kubectl apply -k deploy/ installs what kubectl apply -f deploy/ used to, and its images: block names both
     * images, the proxy's included: it is an env value, which the transformer configuration makes kustomize rewrite
     * (checked by hand with kustomize 5.5: newName reaches the container image and ENTREPOT_OPERATOR_PROXY_IMAGE).
     */
    @Test
    void kustomizationInstallsEveryManifestAndRewritesBothImages() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode kustomization = yaml.readTree(DEPLOY.resolve(KUSTOMIZATION).toFile());
        assertThat(kustomization.get("kind").asText()).isEqualTo("Kustomization");
        Set<String> topLevel = new TreeSet<>(manifests.keySet().stream().filter(f -> f.getNameCount() == 1)
                .map(Path::toString).toList());
        assertThat(kustomization.get("resources")).extracting(JsonNode::asText).as("resources")
                .containsExactlyElementsOf(topLevel);

        Container container = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        String proxyImage = container.getEnv().stream().filter(e -> e.getName().equals("ENTREPOT_OPERATOR_PROXY_IMAGE"))
                .findFirst().orElseThrow().getValue();
        assertThat(kustomization.get("images")).extracting(i -> i.get("name").asText()).as("images")
                .containsExactlyInAnyOrder(withoutTag(container.getImage()), withoutTag(proxyImage));
        assertThat(kustomization.get("images")).allSatisfy(i ->
                assertThat(i.get("newName").asText()).as("no-op until edited").isEqualTo(i.get("name").asText()));

        assertThat(kustomization.get("configurations")).singleElement().satisfies(c -> {
            JsonNode config = yaml.readTree(DEPLOY.resolve(c.asText()).toFile());
            assertThat(config.get("images")).singleElement().satisfies(fieldSpec -> {
                assertThat(fieldSpec.get("path").asText()).isEqualTo("spec/template/spec/containers/env/value");
                assertThat(fieldSpec.get("kind").asText()).isEqualTo("Deployment");
            });
        });
    }

    private static String withoutTag(String image) {
        return image.substring(0, image.lastIndexOf(':'));
    }

    @Test
    void samplesAreServedWithoutProblems() {
        List<HasMetadata> samples = manifests.entrySet().stream()
                .filter(e -> e.getKey().startsWith("samples")).flatMap(e -> e.getValue().stream()).toList();
        List<Repository> repositories = samples.stream().filter(Repository.class::isInstance)
                .map(Repository.class::cast).toList();
        List<VirtualRepository> virtuals = samples.stream().filter(VirtualRepository.class::isInstance)
                .map(VirtualRepository.class::cast).toList();
        assertThat(repositories).extracting(r -> r.getSpec().getMode().configName())
                .containsExactlyInAnyOrder("remote", "standard");
        assertThat(virtuals).hasSize(1);
        assertThat(samples).filteredOn(Namespace.class::isInstance).singleElement()
                .satisfies(ns -> assertThat(repositories).allMatch(r -> r.getMetadata().getNamespace()
                        .equals(ns.getMetadata().getName())));

        NamespacePlan plan = NamespacePlanner.plan(repositories, virtuals, name -> Optional.empty(),
                ProxySettings.defaults());

        assertThat(plan.problems()).as("problems the samples would show in status").isEmpty();
        assertThat(plan.config().repositories()).extracting(r -> r.name())
                .containsExactly("dockerhub", "team", "all");
        assertThat(plan.config().repositories().get(0).remote().url()).isEqualTo("https://registry-1.docker.io");
        assertThat(plan.config().repositories().get(0).mirrorOf()).containsExactly("docker.io");
        assertThat(plan.config().repositories().get(1).standard()).as("the hosted sample shows every field, dry run")
                .isEqualTo(new ProxyConfig.Standard(true, new ProxyConfig.Cleanup(true, 10, "168h")));
        assertThat(plan.config().repositories().get(2).virtual()).as("the virtual sample shows every field")
                .isEqualTo(new ProxyConfig.Virtual(List.of(new ProxyConfig.Upstream("team", 100),
                        new ProxyConfig.Upstream("dockerhub", 80)), "team", "5s", "fastest"));
    }

    @Test
    void dashboardQueriesEveryProxyMetricAndNothingElse() throws IOException {
        String file = Files.readString(DEPLOY.resolve("grafana/entrepot-proxy-dashboard.json"));
        ConfigMap configMap = one(ConfigMap.class);
        assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(configMap.getData()).as("the ConfigMap carries the same dashboard as the JSON file")
                .containsExactly(Map.entry("entrepot-proxy-dashboard.json", file));

        JsonNode dashboard = new ObjectMapper().readTree(file);
        assertThat(dashboard.get("uid").asText()).isEqualTo("entrepot-proxy");
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("entrepot_[a-z_]+");
        dashboard.findValues("expr").forEach(expr -> {
            Matcher m = metric.matcher(expr.asText());
            while (m.find()) {
                queried.add(m.group().replaceFirst("_(sum|count|max|bucket)$", ""));
            }
        });
        assertThat(queried).as("metrics queried by the dashboard").isEqualTo(PROXY_METRICS);
        assertThat(dashboard.get("panels")).allSatisfy(p -> assertThat(p.get("targets")).isNotEmpty());
    }

    private static String property(String properties, String key) {
        return properties.lines().filter(l -> l.startsWith(key + "=")).findFirst()
                .map(l -> l.substring(key.length() + 1).trim()).orElseThrow();
    }
}
