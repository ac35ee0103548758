package dev.entrepot.proxy.api;

import static dev.entrepot.proxy.api.BucketReplicas.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.api.BucketReplicas.Replica;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Ranges read straight from the bucket are paced by the client and hold a bucket connection meanwhile: bounded. */
class BucketRangeStreamsTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();

    @TempDir
    Path root;

    private BucketReplicas replicas;
    private Replica one;
    private Replica two;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        replicas = new BucketReplicas(S3, root);
        one = replicas.replica("one");
        two = replicas.replica("two");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        replicas.close();
    }

    /** A client that asks for a range and then reads nothing. */
    private Socket stalledRange(Replica replica, Digest digest, String range) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", replica.port()));
        OutputStream out = socket.getOutputStream();
        out.write(("GET /blobs/" + digest + " HTTP/1.1\r\nHost: x\r\nRange: " + range + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        sockets.add(socket);
        return socket;
    }

    @Test
    void aClientLeavingMidRangeClosesTheBucketStream() throws Exception {
        byte[] blob = random(16 << 20, 1);
        Digest digest = replicas.push(one, blob);
        Socket client = stalledRange(two, digest, "bytes=1-");
        Await.until(() -> two.reads().reads().size() == 1 && two.reads().delivered() > 0);
        client.close();
        Await.until(() -> two.reads().closed() == 1);
        assertThat(two.reads().finished()).as("aborted, not read to its end").isZero();
    }

    @Test
    void stalledRangeClientsDoNotStarveTheBucketForEveryoneElse() throws Exception {
        byte[] blob = random(16 << 20, 2);
        Digest digest = replicas.push(one, blob);
        int pool = 64; // the bucket client's connections
        for (int i = 0; i < pool; i++) {
            stalledRange(two, digest, "bytes=" + (i + 1) + "-");
        }
        Await.until(() -> two.reads().reads().size() >= BlobHandler.BUCKET_RANGE_STREAMS);
        Thread.sleep(500); // any further bucket reads the stalled clients would start
        assertThat(two.reads().reads().size()).as("bucket reads held open by stalled clients")
                .isLessThanOrEqualTo(BlobHandler.BUCKET_RANGE_STREAMS + 1); // + the fill the others share
        // Any other bucket call of the replica (a HEAD, a manifest read, a push) must still get a connection.
        CompletableFuture<Object> head = CompletableFuture.supplyAsync(() -> {
            try {
                return two.blobs().storedSize(digest);
            } catch (Exception e) {
                return e;
            }
        });
        Object answer = head.get(60, TimeUnit.SECONDS);
        assertThat(answer).as("a HEAD of the bucket while %d range clients stall", pool)
                .isNotInstanceOf(Exception.class);
    }
}
