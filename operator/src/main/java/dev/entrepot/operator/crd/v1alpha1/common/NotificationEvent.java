package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** A kind of image change a notification endpoint is sent (entrepot.yaml's notifications.endpoints[].events). */
public enum NotificationEvent {
    /** A manifest pushed or a tag set. */
    @JsonProperty("insert")
    INSERT,
    /** A manifest or tag deleted. */
    @JsonProperty("delete")
    DELETE,
    /** A manifest first cached from an upstream (remote repositories). */
    @JsonProperty("cached")
    CACHED;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
