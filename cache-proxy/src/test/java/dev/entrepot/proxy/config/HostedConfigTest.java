package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.EntrepotConfig.Cleanup;
import dev.entrepot.proxy.config.EntrepotConfig.Standard;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of entrepot.yaml hosted repositories use: storage.gc, storage.uploadExpiry, standard.cleanup. */
class HostedConfigTest {

    @Test
    void storageDefaults() {
        EntrepotConfig config = ConfigLoader.parse(ConfigLoaderTest.MINIMAL_REMOTE);

        assertThat(config.storage().uploadExpiry()).isEqualTo(Duration.ofHours(1));
        assertThat(config.storage().gc().interval()).isEqualTo(Duration.ofHours(6));
        assertThat(config.storage().gc().gracePeriod()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void storageSettings() {
        EntrepotConfig config = ConfigLoader.parse("""
                storage:
                  uploadExpiry: 30m
                  gc: {interval: 0s, gracePeriod: 10m}
                repositories: [{name: team, mode: standard}]
                """);

        assertThat(config.storage().uploadExpiry()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.storage().gc().interval()).as("on demand only").isZero();
        assertThat(config.storage().gc().gracePeriod()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aStandardRepositoryWithoutItsBlockHasMutableTagsAndNoCleanup() {
        EntrepotConfig config = ConfigLoader.parse("repositories: [{name: team, mode: standard}]\n");

        assertThat(config.repositories().get(0).standard()).isEqualTo(new Standard(false, null));
    }

    @Test
    void cleanupIsADryRunUnlessSaidOtherwise() {
        EntrepotConfig config = ConfigLoader.parse("""
                repositories:
                  - name: team
                    mode: standard
                    standard:
                      immutableTags: true
                      cleanup: {keepRecent: 10, deleteUntaggedOlderThan: 168h}
                  - name: ci
                    mode: standard
                    standard:
                      cleanup: {dryRun: false, deleteUntaggedOlderThan: 24h}
                """);

        assertThat(config.repositories().get(0).standard())
                .isEqualTo(new Standard(true, new Cleanup(true, 10, Duration.ofHours(168))));
        assertThat(config.repositories().get(1).standard())
                .isEqualTo(new Standard(false, new Cleanup(false, null, Duration.ofHours(24))));
    }

    @Test
    void badValuesAreReportedWithTheirPath() {
        assertThat(problems("""
                storage:
                  uploadExpiry: 0s
                repositories:
                  - name: team
                    mode: standard
                    standard:
                      cleanup: {keepRecent: -1}
                """)).containsExactly(
                "storage.uploadExpiry: must be positive",
                "repositories[0].standard.cleanup.keepRecent: must not be negative",
                "repositories[0].standard.cleanup.deleteUntaggedOlderThan: required (the rule that deletes; "
                        + "keepRecent only protects)");
    }

    @Test
    void negativeDurationsAreNotDurations() {
        assertThat(problems("storage: {gc: {gracePeriod: -1s}}\nrepositories: [{name: team, mode: standard}]\n"))
                .singleElement().asString().startsWith("storage.gc.gracePeriod: invalid duration '-1s'");
    }

    @Test
    void unknownCleanupFieldsAreRefused() {
        assertThat(problems("""
                repositories:
                  - {name: team, mode: standard, standard: {cleanup: {keepNewest: 3}}}
                """)).singleElement().asString().contains("unknown field 'keepNewest'");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml), ConfigException.class);
        assertThat(e).as("expected a ConfigException for:%n%s", yaml).isNotNull();
        return e.problems();
    }
}
