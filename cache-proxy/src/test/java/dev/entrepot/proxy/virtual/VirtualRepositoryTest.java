package dev.entrepot.proxy.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.config.EntrepotConfig.EqualPriority;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.virtual.VirtualRepository.Member;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Priority resolution with the model of the issue: main 100, secondary1 80, secondary2 80, test 20, each a fake
 * member holding what the test says.
 */
class VirtualRepositoryTest {
    private static final ImageName APP = new ImageName("myteam/app");
    private static final Reference.Tag V1 = new Reference.Tag("v1");

    private final FakeMember main = new FakeMember("main");
    private final FakeMember secondary1 = new FakeMember("secondary1");
    private final FakeMember secondary2 = new FakeMember("secondary2");
    private final FakeMember test = new FakeMember("test");
    private final TagChanges tagChanges = new TagChanges();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry);

    private VirtualRepository all(EqualPriority policy, Duration ttl) {
        return VirtualRepository.over("all", List.of(new Member(test, 20), new Member(secondary1, 80),
                new Member(main, 100), new Member(secondary2, 80)), null, ttl, policy, tagChanges, metrics.virtual("all"));
    }

    private VirtualRepository all() {
        return all(EqualPriority.FASTEST, Duration.ZERO);
    }

    private static Digest served(VirtualRepository v) throws Exception {
        return Await.result(v.manifest(APP, V1)).digest();
    }

    private static OciException failure(Future<?> future) throws Exception {
        return (OciException) Await.failure(future);
    }

    private double count(String meter, String... tags) {
        var found = registry.find(meter).tags(tags).counter();
        return found == null ? 0 : found.count();
    }

    @Test
    void theHighestPriorityThatHasItAnswers() throws Exception {
        Digest fromMain = main.has("myteam/app", "v1", "main");
        secondary1.has("myteam/app", "v1", "s1");
        test.has("myteam/app", "v1", "test");

        assertThat(served(all())).isEqualTo(fromMain);
        assertThat(count("entrepot.virtual.requests", "member", "main", "kind", "manifest")).isEqualTo(1);
    }

    @Test
    void withoutTheTopEitherEqualPriorityMayAnswerUnderBothPolicies() throws Exception {
        Digest one = secondary1.has("myteam/app", "v1", "s1");
        Digest two = secondary2.has("myteam/app", "v1", "s2");
        test.has("myteam/app", "v1", "test");

        assertThat(served(all(EqualPriority.FASTEST, Duration.ZERO))).isIn(one, two);
        assertThat(served(all(EqualPriority.ORDERED, Duration.ZERO))).as("listed first").isEqualTo(one);
    }

    @Test
    void withinATierWhoeverHasItAnswers() throws Exception {
        Digest two = secondary2.has("myteam/app", "v1", "s2");
        test.has("myteam/app", "v1", "test");

        assertThat(served(all(EqualPriority.FASTEST, Duration.ZERO))).isEqualTo(two);
        assertThat(served(all(EqualPriority.ORDERED, Duration.ZERO))).isEqualTo(two);
    }

    @Test
    void theLowestServesOnlyWhatNoHigherOneHas() throws Exception {
        Digest fromTest = test.has("myteam/app", "v1", "test");

        assertThat(served(all())).isEqualTo(fromTest);
        assertThat(main.manifestCalls.get()).isEqualTo(1);
    }

    @Test
    void anUnreachableMemberIsSkippedAndCountedNotTakenForMissing() throws Exception {
        main.down = true;
        Digest fromSecondary = secondary1.has("myteam/app", "v1", "s1");

        assertThat(served(all())).isEqualTo(fromSecondary);
        assertThat(count("entrepot.virtual.failovers", "member", "main")).isEqualTo(1);
    }

    @Test
    void nobodyHasItIs404ButSomeoneDownMakesIt503() throws Exception {
        assertThat(failure(all().manifest(APP, V1)).code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);

        secondary2.down = true;
        OciException down = failure(all().manifest(APP, V1));

        assertThat(down.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.getMessage()).contains("secondary2");
    }

    @Test
    void aResolvedTagIsRememberedUntilItsTtlOrAHostedTagChange() throws Exception {
        test.has("myteam/app", "v1", "test");
        VirtualRepository remembering = all(EqualPriority.FASTEST, Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            served(remembering);
        }
        assertThat(main.manifestCalls.get()).as("one resolution for 100 requests").isEqualTo(1);

        Digest pushed = main.has("myteam/app", "v1", "pushed");
        tagChanges.changed(); // what a push to a hosted member does

        assertThat(served(remembering)).isEqualTo(pushed);
    }

    @Test
    void byDigestAnyMemberHavingItServes() throws Exception {
        Digest d = test.has("myteam/app", "v1", "test");

        assertThat(Await.result(all().manifest(APP, new Reference.ByDigest(d))).digest()).isEqualTo(d);
    }

    @Test
    void blobsGoThroughTheMemberThatServedTheManifestFirst() throws Exception {
        test.has("myteam/app", "v1", "test");
        Digest layer = Digest.sha256(new byte[] {7});
        test.hasBlob(layer, 1234);
        VirtualRepository v = all();
        served(v);

        assertThat(Await.result(v.blobSize(APP, layer))).isEqualTo(1234);
        assertThat(main.blobCalls.get()).as("asked test directly").isZero();
        assertThat(Await.result(all().blobSize(APP, layer))).as("unknown route: by priority").isEqualTo(1234);
        assertThat(main.blobCalls.get()).isEqualTo(1);
    }

    @Test
    void tagsAreTheSortedUnionPaginated() throws Exception {
        main.has("myteam/app", "b", "1");
        secondary1.has("myteam/app", "a", "2");
        secondary1.has("myteam/app", "b", "3");
        test.has("myteam/app", "c", "4");
        test.down = true; // skipped: the others answered

        assertThat(Await.result(all().tags(APP, null, null)).items()).containsExactly("a", "b");
        assertThat(Await.result(all().tags(APP, 1, "a")).items()).containsExactly("b");
        test.down = false;
        var page = Await.result(all().tags(APP, 2, null));
        assertThat(page.items()).containsExactly("a", "b");
        assertThat(page.more()).isTrue();
    }

    @Test
    void withoutPushToPushesAreRefused() {
        OciException e = null;
        try {
            all().pushable();
        } catch (OciException thrown) {
            e = thrown;
        }
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(OciErrorCode.UNSUPPORTED);
        assertThat(e.getMessage()).contains("pushTo");
    }

    @Test
    void theCatalogIsTheUnion() throws Exception {
        main.has("a", "1", "x");
        test.has("b", "1", "y");
        secondary1.has("a", "2", "z");

        assertThat(Set.copyOf(Await.result(all().catalog()))).containsExactlyInAnyOrder("a", "b");
    }
}
