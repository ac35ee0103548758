package dev.entrepot.proxy.hosted;

import static dev.entrepot.proxy.hosted.HostedFixture.descriptorJson;
import static dev.entrepot.proxy.hosted.HostedFixture.manifest;
import static dev.entrepot.proxy.hosted.HostedFixture.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.hosted.HostedFixture.Image;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.ManifestWriter.Pushed;
import dev.entrepot.proxy.testing.Await;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manifest pushes, reads and deletes of a hosted repository over real stores. */
class HostedManifestsTest extends HostedTestBase {


    private io.vertx.core.Future<Pushed> put(String reference, byte[] body) {
        return team.manifests().put(APP, Reference.parse(reference), MediaTypes.OCI_MANIFEST, body);
    }

    @Test
    void aPushedImageReadsBackByteExactByTagAndDigest() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 1, null);

        ManifestContent byTag = Await.result(team.manifest(APP, new Reference.Tag("v1")));
        ManifestContent byDigest = Await.result(team.manifest(APP, new Reference.ByDigest(image.digest())));

        assertThat(byTag.bytes()).isEqualTo(image.manifest());
        assertThat(byTag.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(byDigest.digest()).isEqualTo(image.digest()).isEqualTo(Digest.sha256(image.manifest()));
        assertThat(Await.result(team.blobSize(APP, image.layer()))).isEqualTo(2001);
        assertThat(Await.result(team.tags(APP, null, null)).items()).containsExactly("v1");
        assertThat(Await.result(team.catalog())).containsExactly("app");
    }

    @Test
    void everyBlobMustBeInTheImageFirst() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(100, 2);
        fx.pushBlob(team, "app", config);
        fx.pushBlob(team, "elsewhere", layer); // in the store, but not in this image

        OciException e = failure(put("v1", manifest(config, List.of(layer), null)));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_BLOB_UNKNOWN);
        assertThat(e.getMessage()).contains(Digest.sha256(layer).toString());
        assertThat(failure(team.tags(APP, null, null)).code()).as("nothing written").isEqualTo(OciErrorCode.NAME_UNKNOWN);
    }

    @Test
    void aDescriptorSizeThatLiesIsRefused() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        fx.pushBlob(team, "app", config);
        byte[] body = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"a/b\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":3},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(failure(put("v1", body)).code()).isEqualTo(OciErrorCode.MANIFEST_INVALID);
    }

    @Test
    void byDigestTheBodyMustMatch() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 3, null);
        byte[] other = manifest("{}".getBytes(StandardCharsets.UTF_8), List.of(), null);

        OciException e = failure(put(image.digest().toString(), other));

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
    }

    @Test
    void mutableTagsMoveImmutableOnesDoNot() throws Exception {
        Image first = fx.pushImage(team, "app", "v1", 4, null);
        Image second = fx.pushImage(team, "app", "v1", 5, null);
        assertThat(Await.result(team.manifest(APP, new Reference.Tag("v1"))).digest()).isEqualTo(second.digest());

        HostedRepository locked = fx.repository("locked", true);
        Image kept = fx.pushImage(locked, "app", "v1", 4, null);
        fx.pushImage(locked, "app", "v1", 4, null); // the same digest again: idempotent
        OciException e = failure(locked.manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST,
                second.manifest()));

        assertThat(e.code()).isEqualTo(OciErrorCode.DENIED);
        assertThat(e.getMessage()).contains("immutable").contains(kept.digest().toString())
                .contains(second.digest().toString());
        assertThat(Await.result(locked.manifest(APP, new Reference.Tag("v1"))).digest()).isEqualTo(first.digest());
        assertThat(failure(locked.manifests().delete(APP, new Reference.Tag("v1"))).code())
                .isEqualTo(OciErrorCode.DENIED);
        assertThat(failure(locked.manifests().delete(APP, new Reference.ByDigest(kept.digest()))).code())
                .isEqualTo(OciErrorCode.DENIED);
    }

    @Test
    void deletingByDigestTakesItsTagsAndTheWarmCopy() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 6, null);
        Await.result(team.manifests().put(APP, new Reference.Tag("latest"), MediaTypes.OCI_MANIFEST, image.manifest()));
        Await.result(team.manifest(APP, new Reference.Tag("latest"))); // warm

        Await.result(team.manifests().delete(APP, new Reference.ByDigest(image.digest())));

        assertThat(failure(team.manifest(APP, new Reference.Tag("latest"))).code())
                .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(failure(team.manifest(APP, new Reference.ByDigest(image.digest()))).code())
                .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(failure(team.tags(APP, null, null)).code()).as("no manifest left").isEqualTo(OciErrorCode.NAME_UNKNOWN);
        assertThat(Await.result(team.blobSize(APP, image.layer()))).as("blobs wait for the collector").isPositive();
        assertThat(failure(team.manifests().delete(APP, new Reference.ByDigest(image.digest()))).code())
                .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
    }

    @Test
    void pushesAndDeletesAreReportedAsEvents() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 20, null);
        Await.result(team.manifests().delete(APP, new Reference.Tag("v1"), "registry.example"));
        Await.result(team.manifests().put(APP, new Reference.Tag("v2"), MediaTypes.OCI_MANIFEST, image.manifest()));
        Await.result(team.manifests().delete(APP, new Reference.ByDigest(image.digest())));

        assertThat(fx.events).extracting(e -> e.kind() + " " + e.tag() + " " + e.digest().equals(image.digest()))
                .containsExactly("INSERT v1 true", "DELETE v1 true", "INSERT v2 true", "DELETE null true",
                        "DELETE v2 true");
        assertThat(fx.events.get(0).size()).isEqualTo(2020 + "{\"seed\":20}".length());
        assertThat(fx.events.get(1).host()).isEqualTo("registry.example");
    }

    @Test
    void untaggingLeavesTheManifest() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 7, null);

        Await.result(team.manifests().delete(APP, new Reference.Tag("v1")));

        assertThat(failure(team.manifest(APP, new Reference.Tag("v1"))).code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(Await.result(team.manifest(APP, new Reference.ByDigest(image.digest()))).bytes())
                .isEqualTo(image.manifest());
        assertThat(failure(team.manifests().delete(APP, new Reference.Tag("v1"))).code())
                .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
    }

    @Test
    void anIndexNeedsItsChildrenAndProtectsThem() throws Exception {
        Image amd64 = fx.pushImage(team, "app", null, 8, null);
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptorJson(MediaTypes.OCI_MANIFEST, amd64.manifest()) + "]}").getBytes(StandardCharsets.UTF_8);
        byte[] orphan = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptorJson(MediaTypes.OCI_MANIFEST, random(10, 9)) + "]}").getBytes(StandardCharsets.UTF_8);

        assertThat(failure(team.manifests().put(APP, new Reference.Tag("bad"), MediaTypes.OCI_INDEX, orphan)).code())
                .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        Pushed pushed = Await.result(team.manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_INDEX, index));
        OciException child = failure(team.manifests().delete(APP, new Reference.ByDigest(amd64.digest())));

        assertThat(child.code()).isEqualTo(OciErrorCode.DENIED);
        assertThat(child.getMessage()).contains(pushed.digest().toString());
        Await.result(team.manifests().delete(APP, new Reference.ByDigest(pushed.digest())));
        Await.result(team.manifests().delete(APP, new Reference.ByDigest(amd64.digest())));
    }

    @Test
    void referrersListWhatPointsToASubjectEvenOneNeverPushed() throws Exception {
        Digest neverPushed = Digest.sha256(random(5, 10));
        String subject = "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + neverPushed
                + "\",\"size\":5},\"annotations\":{\"k\":\"v\"}";
        Image sig = fx.pushImage(team, "app", null, 11, "\"artifactType\":\"application/vnd.example.sig\"," + subject);
        Image sbom = fx.pushImage(team, "app", null, 12, subject); // artifactType from its config

        List<String> all = artifactTypes(Await.result(team.referrers(APP, neverPushed, null)));
        List<String> sigs = artifactTypes(Await.result(team.referrers(APP, neverPushed, "application/vnd.example.sig")));
        ManifestContent none = Await.result(team.referrers(APP, Digest.sha256(random(5, 13)), null));

        assertThat(all).containsExactlyInAnyOrder("application/vnd.example.sig", "application/vnd.oci.image.config.v1+json");
        assertThat(sigs).containsExactly("application/vnd.example.sig");
        assertThat(ReferrersIndex.descriptors(Await.result(team.referrers(APP, neverPushed, null)).bytes()))
                .allSatisfy(d -> assertThat(d.path("annotations").toString()).isEqualTo("{\"k\":\"v\"}"));
        assertThat(ReferrersIndex.descriptors(none.bytes())).isEmpty();

        Await.result(team.manifests().delete(APP, new Reference.ByDigest(sig.digest())));
        assertThat(ReferrersIndex.descriptors(Await.result(team.referrers(APP, neverPushed, null)).bytes()))
                .extracting(d -> d.path("digest").asText()).containsExactly(sbom.digest().toString());
    }

    private static List<String> artifactTypes(ManifestContent index) {
        return ReferrersIndex.descriptors(index.bytes()).stream().map(d -> d.path("artifactType").asText()).toList();
    }

    @Test
    void unknownImagesHaveNoTagList() throws Exception {
        assertThat(failure(team.tags(new ImageName("nobody"), null, null)).code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
    }

    @Test
    void theWarmCopyFollowsATagMovedByAnotherPush() throws Exception {
        fx.pushImage(team, "app", "v1", 14, null);
        Await.result(team.manifest(APP, new Reference.Tag("v1")));
        Image moved = fx.pushImage(team, "app", "v1", 15, null);

        assertThat(Await.result(team.manifest(APP, new Reference.Tag("v1"))).digest()).isEqualTo(moved.digest());
    }

    @Test
    void everythingIsThereAfterARestart() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 16, null);
        fx.close();

        fx = new HostedFixture(root);
        HostedRepository reopened = fx.repository("team", false);

        assertThat(Await.result(reopened.manifest(APP, new Reference.Tag("v1"))).bytes()).isEqualTo(image.manifest());
        assertThat(Await.result(reopened.blobSize(APP, image.layer()))).isEqualTo(2016);
    }
}
