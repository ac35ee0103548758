package dev.entrepot.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The defaults a real kube-apiserver fills into the operator's objects, recorded from one in
 * src/test/resources/golden/server-defaulted (fabric8's mock server stores objects as sent).
 */
public final class ServerDefaults {

    private static final Path DIR = Path.of("src/test/resources/golden/server-defaulted");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ServerDefaults() {
    }

    /** The object as the server returned it, e.g. {@code deployment}. */
    public static <T extends HasMetadata> T load(String name, Class<T> type) {
        try {
            return SERIALIZATION.unmarshal(Files.readString(DIR.resolve(name + ".yaml")), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code object} with every field the server added to the recorded one and {@code object} lacks. */
    public static <T extends HasMetadata> T fill(T object, String name) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) object.getClass();
        ObjectNode target = SERIALIZATION.convertValue(object, ObjectNode.class);
        ObjectNode defaulted = SERIALIZATION.convertValue(load(name, type), ObjectNode.class);
        defaulted.remove("metadata");
        defaulted.remove("status");
        addMissing(target, defaulted);
        return SERIALIZATION.convertValue(target, type);
    }

    private static void addMissing(JsonNode target, JsonNode defaults) {
        if (target instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = defaults.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!object.has(field.getKey())) {
                    object.set(field.getKey(), field.getValue().deepCopy());
                } else {
                    addMissing(object.get(field.getKey()), field.getValue());
                }
            }
        } else if (target instanceof ArrayNode array && defaults.isArray() && array.size() == defaults.size()) {
            for (int i = 0; i < array.size(); i++) {
                addMissing(array.get(i), defaults.get(i));
            }
        }
    }
}
