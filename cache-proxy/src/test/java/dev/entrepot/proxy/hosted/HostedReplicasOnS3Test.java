package dev.entrepot.proxy.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ManifestWriter.Pushed;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosted repositories {@code team} with immutable tags, each over its own S3 stores on one bucket, as two
 * replicas of the proxy would be: an image pushed through one is pulled through the other, and pushes of different
 * manifests to one tag through both at once leave the tag on exactly one of them, the others refused.
 */
class HostedReplicasOnS3Test {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final ImageName APP = new ImageName("app");

    @TempDir
    Path root;

    private S3Replicas replicas;
    private HostedRepository one;
    private HostedRepository two;

    @BeforeEach
    void openReplicas() throws Exception {
        replicas = new S3Replicas(SERVER, root);
        one = replicas.replica("one", true).team();
        two = replicas.replica("two", true).team();
    }

    @AfterEach
    void close() throws Exception {
        replicas.close();
    }

    private Digest pushBlob(HostedRepository through, byte[] bytes) throws Exception {
        return replicas.pushBlob(through, APP, bytes);
    }

    /** Pushes a config and a layer through {@code through} and returns the manifest over them (not pushed). */
    private byte[] image(HostedRepository through, long seed) throws Exception {
        byte[] config = ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = HostedFixture.random(3000, seed);
        pushBlob(through, config);
        pushBlob(through, layer);
        return HostedFixture.manifest(config, List.of(layer), null);
    }

    @Test
    void anImagePushedThroughOneIsPulledThroughTheOther() throws Exception {
        byte[] manifest = image(one, 1);
        Await.result(one.manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST, manifest));

        ManifestContent pulled = Await.result(two.manifest(APP, new Reference.Tag("v1")));
        assertThat(pulled.bytes()).isEqualTo(manifest);
        assertThat(Await.result(two.blobSize(APP, Digest.sha256(HostedFixture.random(3000, 1))))).isEqualTo(3000);

        byte[] other = image(two, 2);
        Throwable refused = Await.failure(two.manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST,
                other));
        assertThat(refused).isInstanceOfSatisfying(OciException.class,
                e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED));
    }

    @Test
    void racingPushesToOneImmutableTagThroughBothReplicasLeaveOneWinner() throws Exception {
        List<byte[]> manifests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            manifests.add(image(i % 2 == 0 ? one : two, 10 + i));
        }
        for (int round = 0; round < 3; round++) {
            String tag = "release-" + round;
            List<Future<Pushed>> pushes = new ArrayList<>();
            for (int i = 0; i < manifests.size(); i++) {
                HostedRepository through = i % 2 == 0 ? one : two;
                pushes.add(through.manifests().put(APP, new Reference.Tag(tag), MediaTypes.OCI_MANIFEST,
                        manifests.get(i)));
            }
            List<Digest> won = new ArrayList<>();
            for (Future<Pushed> push : pushes) {
                AsyncResult<Pushed> outcome = Await.result(push.transform(Future::succeededFuture));
                if (outcome.succeeded()) {
                    won.add(outcome.result().digest());
                } else {
                    assertThat(outcome.cause()).isInstanceOfSatisfying(OciException.class,
                            e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED));
                }
            }

            assertThat(won).as("round %d", round).hasSizeLessThanOrEqualTo(1);
            if (!won.isEmpty()) {
                assertThat(Await.result(one.manifest(APP, new Reference.Tag(tag))).digest()).isEqualTo(won.get(0));
                assertThat(Await.result(two.manifest(APP, new Reference.Tag(tag))).digest()).isEqualTo(won.get(0));
            }
        }
    }
}
