package dev.entrepot.proxy.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP request of a test client: the response's status and headers, the body bytes as they arrive (counted), and
 * the whole body once it ended; the body fails when the connection breaks (a reset) before its end.
 */
public final class HttpReceiver {
    private final Vertx vertx;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong count = new AtomicLong();
    private final Promise<HttpClientResponse> head = Promise.promise();
    private final Promise<byte[]> ended = Promise.promise();

    private HttpReceiver(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Sends {@code method path} to {@code 127.0.0.1:port} with {@code headers}, reading the body as it comes. */
    public static HttpReceiver send(Vertx vertx, HttpClient client, HttpMethod method, int port, String path,
                                    MultiMap headers) {
        HttpReceiver receiver = new HttpReceiver(vertx);
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
                .setURI(path).setHeaders(headers).setFollowRedirects(false);
        vertx.getOrCreateContext().runOnContext(v -> client.request(options)
                .compose(request -> request.send())
                .onFailure(e -> {
                    receiver.head.tryFail(e);
                    receiver.ended.tryFail(e);
                })
                .onSuccess(response -> {
                    receiver.head.tryComplete(response);
                    response.handler(chunk -> {
                        synchronized (receiver.bytes) {
                            receiver.bytes.writeBytes(chunk.getBytes());
                        }
                        receiver.count.addAndGet(chunk.length());
                    });
                    response.exceptionHandler(receiver.ended::tryFail);
                    response.endHandler(x -> {
                        synchronized (receiver.bytes) {
                            receiver.ended.tryComplete(receiver.bytes.toByteArray());
                        }
                    });
                }));
        return receiver;
    }

    /** The response, once its status and headers arrived. */
    public Future<HttpClientResponse> response() {
        return head.future();
    }

    /** The whole body; fails if the connection broke first. */
    public Future<byte[]> body() {
        return ended.future();
    }

    public long received() {
        return count.get();
    }

    /** Completes once at least {@code atLeast} body bytes arrived; fails if the body fails or ends first. */
    public Future<Long> reached(long atLeast) {
        Promise<Long> goal = Promise.promise();
        vertx.setPeriodic(5, id -> {
            if (count.get() >= atLeast) {
                vertx.cancelTimer(id);
                goal.tryComplete(count.get());
            } else if (ended.future().isComplete()) {
                vertx.cancelTimer(id);
                goal.tryFail("the body ended after " + count.get() + " bytes");
            }
        });
        return goal.future();
    }
}
