package dev.entrepot.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** Pure function: {@link ProxyConfig} to entrepot.yaml text. Same input, same bytes. */
public final class ProxyConfigRenderer {

    static final String HEADER = "# Rendered by the Entrepot operator from the Repository and VirtualRepository"
            + " objects of this namespace. Edits are overwritten.\n";

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ProxyConfigRenderer() {
    }

    public static String render(ProxyConfig config) {
        try {
            return HEADER + YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render entrepot.yaml", e);
        }
    }

    /** sha256 hex of the rendered text's UTF-8 bytes: the file the kubelet projects, as the proxy reports it. */
    public static String sha256(String rendered) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(rendered.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
