package dev.entrepot.operator.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * GET {@code <url>/v2/} with a short timeout. 200 (open registry) and 401 (token challenge) both
 * prove the registry is there; anything else, or no answer, is unreachable.
 */
public final class HttpUpstreamProbe implements UpstreamProbe {

    private final HttpClient client;
    private final Duration timeout;

    public HttpUpstreamProbe(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @Override
    public Result probe(String registryUrl) {
        URI uri = URI.create(registryUrl.replaceAll("/+$", "") + "/v2/");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "entrepot-operator").build();
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 || status == 401
                    ? Result.reachable(uri + " answered " + status)
                    : Result.unreachable(uri + " answered HTTP " + status);
        } catch (HttpTimeoutException e) {
            return Result.unreachable(uri + " did not answer within " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            return Result.unreachable("cannot reach " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unreachable("probe of " + uri + " interrupted");
        }
    }
}
