package dev.entrepot.proxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** The one place that turns failures into the spec's error JSON: {@code {"errors":[{code,message,detail}]}}. */
public final class OciErrors {
    private static final Logger LOG = Logger.getLogger(OciErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of a refused body is read before the connection is cut instead. */
    private static final long MAX_DRAIN = 64L << 20;

    private OciErrors() {
    }

    /**
     * Like {@link #send(HttpServerResponse, HttpMethod, Throwable)}, for requests that may carry a body. One refused
     * before it was read would leave its bytes on the kept-alive connection: the answer goes out at once, the rest
     * of the body is read and dropped (so the client, still sending, is not cut off before it reads the answer),
     * and the connection is closed at the end of the body — at once past {@link #MAX_DRAIN} bytes.
     */
    public static void send(HttpServerRequest request, Throwable failure) {
        HttpMethod method = request.method();
        boolean unreadBody = !request.isEnded() && (method == HttpMethod.POST || method == HttpMethod.PUT
                || method == HttpMethod.PATCH);
        if (unreadBody && !request.response().headWritten()) {
            request.response().putHeader(HttpHeaders.CONNECTION, "close");
            long[] dropped = new long[1];
            request.handler(chunk -> {
                dropped[0] += chunk.length();
                if (dropped[0] > MAX_DRAIN) {
                    request.connection().close();
                }
            });
            request.endHandler(v -> request.connection().close());
            request.exceptionHandler(e -> { });
            request.resume();
        }
        send(request.response(), method, failure);
    }

    public static void send(HttpServerResponse response, HttpMethod method, Throwable failure) {
        OciException error = failure instanceof OciException oci ? oci : unexpected(failure);
        if (response.headWritten()) {
            // Headers (and maybe part of the body) are out: the only honest signal left is a broken transfer.
            response.reset();
            return;
        }
        // Messages may echo client input (decoded query parameters): count UTF-8 bytes, not chars.
        Buffer body = Buffer.buffer(json(error), "UTF-8");
        response.setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        error.headers().forEach(response::putHeader);
        if (method == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(body);
        }
    }

    private static OciException unexpected(Throwable failure) {
        LOG.error("unexpected failure", failure);
        return new OciException(OciErrorCode.UNKNOWN, "internal error: " + failure);
    }

    private static String json(OciException error) {
        Map<String, Object> entry = Map.of("code", error.code().name(), "message", error.getMessage(),
                "detail", Map.of());
        try {
            return JSON.writeValueAsString(Map.of("errors", List.of(entry)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
