package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on the OCI error body {@code {"errors":[{"code":...,"message":...}]}}. */
public final class OciErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciErrors() {
    }

    /** The error codes of a response, failing when the body is not OCI error JSON. */
    public static List<String> codes(OciClient.Response response) {
        JsonNode errors;
        try {
            errors = JSON.readTree(response.body()).path("errors");
        } catch (IOException e) {
            throw new AssertionError("not OCI error JSON: " + response, e);
        }
        assertThat(errors.isArray() && errors.size() > 0).as("OCI errors array in %s", response).isTrue();
        List<String> codes = new ArrayList<>();
        errors.forEach(error -> codes.add(error.path("code").asText()));
        return codes;
    }

    /** Status, a JSON content type and the first error code. */
    public static void assertError(OciClient.Response response, int status, String code) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(status);
        assertThat(response.header("content-type")).as("content type of %s", response).contains("json");
        assertThat(codes(response)).as("codes of %s", response).first().isEqualTo(code);
    }
}
