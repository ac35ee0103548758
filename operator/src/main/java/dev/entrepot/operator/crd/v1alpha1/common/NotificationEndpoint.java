package dev.entrepot.operator.crd.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** One HTTP receiver of a repository's image change events (CloudEvents posted as JSON). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NotificationEndpoint {

    @Required
    @Size(max = Limits.LABEL)
    @Pattern(Patterns.ENDPOINT_NAME)
    @JsonPropertyDescription("Name of the endpoint in the namespace's proxy (lowercase letters, digits and -). Several"
            + " repositories of a namespace may name the same endpoint with the same url, headers and events: it then"
            + " gets the events of all of them.")
    private String name;

    @Required
    @Size(max = Limits.URL)
    @Pattern(Patterns.ENDPOINT_URL)
    @JsonPropertyDescription("Absolute http(s) URL the events are posted to.")
    private String url;

    @JsonPropertyDescription("Secret whose key holds HTTP headers sent with every event, e.g. a shared secret."
            + " Absent: no extra headers.")
    private HeadersSecretRef headersSecretRef;

    @Size(max = Limits.LIST)
    @JsonPropertyDescription("Which changes are sent: insert (a manifest pushed or a tag set), delete (a manifest or"
            + " tag deleted), cached (a manifest first cached from an upstream). Absent: insert and delete.")
    private List<NotificationEvent> events = new ArrayList<>();

    public NotificationEndpoint() {
    }

    public NotificationEndpoint(String name, String url, HeadersSecretRef headersSecretRef,
            List<NotificationEvent> events) {
        this.name = name;
        this.url = url;
        this.headersSecretRef = headersSecretRef;
        this.events = events;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public HeadersSecretRef getHeadersSecretRef() { return headersSecretRef; }
    public void setHeadersSecretRef(HeadersSecretRef headersSecretRef) { this.headersSecretRef = headersSecretRef; }
    public List<NotificationEvent> getEvents() { return events; }
    public void setEvents(List<NotificationEvent> events) { this.events = events; }
}
