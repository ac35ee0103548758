package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy's token endpoint and the calls around it, as a registry client makes them. */
public final class TokenClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TokenClient() {
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code GET /token} with the given scopes, which must answer 200; {@code authorization} null: anonymously. */
    public static JsonNode get(EntrepotProxy proxy, String authorization, String... scopes) {
        StringBuilder query = new StringBuilder("/token?service=entrepot");
        for (String scope : scopes) {
            query.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        OciClient.Response response = send(proxy, "GET", query.toString(), authorization);
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        return json(response);
    }

    /** {@code POST /token} with an OAuth2 form (already encoded). */
    public static OciClient.Response postForm(EntrepotProxy proxy, String form) {
        return proxy.client().send("POST", "/token", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8), TIMEOUT);
    }

    /** Any call with an {@code Authorization} header (null: none). */
    public static OciClient.Response send(EntrepotProxy proxy, String method, String path, String authorization) {
        return proxy.client().send(method, path, authorization == null ? Map.of() : Map.of("Authorization", authorization),
                null, TIMEOUT);
    }

    /** {@code POST /v2/<name>/blobs/uploads/}: where a push starts. */
    public static OciClient.Response startUpload(EntrepotProxy proxy, String name, String authorization) {
        return send(proxy, "POST", "/v2/" + name + "/blobs/uploads/", authorization);
    }

    /** {@code GET /v2/_catalog}, which must answer 200. */
    public static List<String> catalog(EntrepotProxy proxy, String authorization) {
        OciClient.Response response = send(proxy, "GET", "/v2/_catalog", authorization);
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        List<String> names = new ArrayList<>();
        json(response).get("repositories").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The token's {@code access} claim as JSON text. */
    public static String access(String jwt) {
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
            return JSON.writeValueAsString(claims.get("access"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static JsonNode json(OciClient.Response response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(response.toString(), e);
        }
    }
}
