package dev.entrepot.proxy.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.entrepot.proxy.repository.ImageEvent;
import java.util.UUID;

/**
 * An image event as a CloudEvents 1.0 structured JSON document whose {@code data} carries Container Registry's
 * fields ({@code action}, {@code digest} and {@code tag} as full image references) plus repository, media type and
 * size.
 */
final class CloudEvents {
    static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudEvents() {
    }

    /** @param host how image references name the registry */
    static byte[] of(ImageEvent event, String host) {
        String image = host + "/" + event.repository() + "/" + event.image();
        ObjectNode e = JSON.createObjectNode();
        e.put("specversion", "1.0");
        e.put("id", UUID.randomUUID().toString());
        e.put("source", "//" + host + "/entrepot");
        e.put("type", "dev.entrepot.image." + switch (event.kind()) {
            case INSERT -> "inserted";
            case DELETE -> "deleted";
            case CACHED -> "cached";
        });
        e.put("time", event.time().toString());
        e.put("subject", event.repository() + "/" + event.image()
                + (event.tag() != null ? ":" + event.tag() : "@" + event.digest()));
        e.put("datacontenttype", "application/json");
        ObjectNode data = e.putObject("data");
        data.put("action", event.kind().name());
        if (event.digest() != null) {
            data.put("digest", image + "@" + event.digest());
        }
        if (event.tag() != null) {
            data.put("tag", image + ":" + event.tag());
        }
        data.put("repository", event.repository());
        data.put("image", event.image().value());
        if (event.mediaType() != null) {
            data.put("mediaType", event.mediaType());
        }
        if (event.size() >= 0) {
            data.put("size", event.size());
        }
        try {
            return JSON.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
