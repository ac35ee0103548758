package dev.entrepot.e2e.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositorySpec;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StandardSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StorageHints;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.GoDuration;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * spec.storage.s3.redirect and redirectTtl, as the operator renders them, reach the proxy's S3 stores as set; a
 * redirectTtl the CRD's grammar lets through but a pre-signed URL cannot have (the proxy refuses it) is refused by
 * the planner instead, so the proxy never gets a file it rejects.
 */
class S3RedirectContractTest {

    private static Repository team(Boolean redirect, String redirectTtl) {
        S3StorageSpec bucket = new S3StorageSpec();
        bucket.setBucket("entrepot");
        bucket.setRedirect(redirect);
        bucket.setRedirectTtl(redirectTtl);
        StorageHints hints = new StorageHints();
        hints.setS3(bucket);
        RepositorySpec spec = new RepositorySpec();
        spec.setMode(RepositoryMode.STANDARD);
        spec.setStandard(new StandardSpec());
        spec.setStorage(hints);
        Repository repository = new Repository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("team").build());
        repository.setSpec(spec);
        return repository;
    }

    private static NamespacePlan plan(Repository repository) {
        return NamespacePlanner.plan(List.of(repository), List.of(), name -> Optional.empty(), ProxySettings.defaults());
    }

    private static boolean proxyTakes(String ttl) {
        try {
            ConfigLoader.parse("storage: {type: s3, s3: {bucket: entrepot, redirect: true"
                    + (ttl == null ? "" : ", redirectTtl: \"" + ttl + "\"") + "}}\n"
                    + "repositories: [{name: team, mode: standard}]\n");
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    @Test
    void redirectsRoundTripAndTheirValidityIsJudgedAlike() {
        for (String ttl : new String[] {null, "1s", "20m", "1h30m", "168h", "10080m", "0", "999ms", "169h", "10081m"}) {
            NamespacePlan plan = plan(team(true, ttl));
            boolean proxyTakes = proxyTakes(ttl);

            assertThat(plan.problems().isEmpty()).as("planner and proxy agree on redirectTtl %s", ttl)
                    .isEqualTo(proxyTakes);
            EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));
            if (proxyTakes) {
                assertThat(config.storage().s3().redirectValidity()).as(ttl)
                        .isEqualTo(ttl == null ? ConfigLoader.DEFAULT_S3_REDIRECT_TTL : GoDuration.parse(ttl));
            } else {
                assertThat(config.storage().type()).as("bucket left out for %s", ttl)
                        .isEqualTo(EntrepotConfig.StorageType.FILESYSTEM);
            }
        }
    }

    @Test
    void withoutRedirectNothingIsRedirected() {
        for (Boolean redirect : new Boolean[] {null, false}) {
            EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan(team(redirect, "5m")).config()));

            assertThat(config.storage().s3().redirect()).isFalse();
            assertThat(config.storage().s3().redirectValidity()).isNull();
        }
    }
}
