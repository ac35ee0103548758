package dev.entrepot.proxy.hosted;

import static dev.entrepot.proxy.hosted.HostedFixture.descriptorJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.hosted.HostedFixture.Image;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ManifestWriter.Pushed;
import dev.entrepot.proxy.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cleanup policies: untagged versions older than a threshold, minus the newest few; tagged content never. */
class CleanupPolicyTest extends HostedTestBase {
    private static final Duration WEEK = Duration.ofDays(7);


    private boolean present(Digest digest) {
        return team.manifest(APP, new Reference.ByDigest(digest)).toCompletionStage().toCompletableFuture()
                .handle((m, e) -> e == null).join();
    }

    /** Four versions a day apart (oldest first), the newest tagged; then eight days pass. */
    private List<Image> history() throws Exception {
        List<Image> versions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            versions.add(fx.pushImage(team, "app", i == 3 ? "latest" : null, 100 + i, null));
            fx.clock.advance(Duration.ofDays(1));
        }
        fx.clock.advance(Duration.ofDays(8));
        return versions;
    }

    @Test
    void untaggedOldVersionsGoBeyondTheNewestKept() throws Exception {
        List<Image> v = history();

        List<String> deleted = team.cleanup(false, 2, WEEK);

        assertThat(deleted).containsExactlyInAnyOrder("app@" + v.get(0).digest(), "app@" + v.get(1).digest());
        assertThat(present(v.get(0).digest())).isFalse();
        assertThat(present(v.get(1).digest())).isFalse();
        assertThat(present(v.get(2).digest())).as("second newest: kept by keepRecent").isTrue();
        assertThat(present(v.get(3).digest())).as("tagged").isTrue();
    }

    @Test
    void aDryRunOnlyReports() throws Exception {
        List<Image> v = history();

        List<String> wouldDelete = team.cleanup(true, 0, WEEK);

        assertThat(wouldDelete).hasSize(3);
        v.forEach(image -> assertThat(present(image.digest())).isTrue());
    }

    @Test
    void youngVersionsAndTaggedOnesStay() throws Exception {
        Image old = fx.pushImage(team, "app", "v1", 1, null);
        fx.clock.advance(Duration.ofDays(30));
        Image young = fx.pushImage(team, "app", null, 2, null);

        assertThat(team.cleanup(false, 0, WEEK)).isEmpty();
        assertThat(present(old.digest())).isTrue();
        assertThat(present(young.digest())).isTrue();
    }

    @Test
    void anIndexTakesWhatOnlyItListedAndReferrersFollowTheirSubject() throws Exception {
        Image amd64 = fx.pushImage(team, "app", null, 3, null);
        Image arm64 = fx.pushImage(team, "app", null, 4, null);
        Image sharedWithTagged = fx.pushImage(team, "app", null, 5, null);
        Pushed index = putIndex(amd64, arm64, sharedWithTagged);
        Pushed tagged = putIndex(sharedWithTagged);
        Await.result(team.manifests().put(APP, new Reference.Tag("stable"), MediaTypes.OCI_INDEX, indexBytes(
                sharedWithTagged)));
        String subject = "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"digest\":\"" + index.digest()
                + "\",\"size\":1}";
        Image signature = fx.pushImage(team, "app", null, 6, "\"artifactType\":\"application/vnd.example.sig\"," + subject);
        fx.clock.advance(Duration.ofDays(30));

        List<String> deleted = team.cleanup(false, 0, WEEK);

        assertThat(deleted).containsExactlyInAnyOrder("app@" + index.digest(), "app@" + amd64.digest(),
                "app@" + arm64.digest(), "app@" + signature.digest());
        assertThat(present(sharedWithTagged.digest())).as("still listed by a tagged index").isTrue();
        assertThat(present(tagged.digest())).isTrue();
    }

    private Pushed putIndex(Image... children) throws Exception {
        byte[] bytes = indexBytes(children);
        return Await.result(team.manifests().put(APP, new Reference.ByDigest(Digest.sha256(bytes)),
                MediaTypes.OCI_INDEX, bytes));
    }

    private static byte[] indexBytes(Image... children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[");
        for (int i = 0; i < children.length; i++) {
            json.append(i == 0 ? "" : ",").append(descriptorJson(MediaTypes.OCI_MANIFEST, children[i].manifest()));
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
