package dev.entrepot.operator.plan;

import static dev.entrepot.operator.plan.Problem.Category.CONFLICT;
import static dev.entrepot.operator.plan.Problem.Category.CREDENTIALS;
import static dev.entrepot.operator.plan.Problem.Category.SPEC;

import dev.entrepot.operator.crd.v1alpha1.common.HeadersSecretRef;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEndpoint;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationsSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import dev.entrepot.operator.render.ProxyConfig;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the spec.notifications blocks of a namespace's served repositories into entrepot.yaml's notifications block.
 * An endpoint name is one endpoint of the proxy: repositories that declare it alike (same url, headers Secret and
 * events) share it, each adding its repositories to the endpoint's; a later one (in the planner's order: Repositories
 * by name, then VirtualRepositories by name) that declares the name otherwise is reported and its declaration left
 * out. So is a declaration whose headers Secret is missing or malformed: events without their headers would only be
 * refused by the receiver, and a headers file the proxy cannot read would make it refuse the whole config. The
 * headers are copied into the credentials Secret, as user passwords are.
 */
final class NotificationsPlanner {

    static final String DEFAULT_HEADERS_KEY = "headers";

    private static final Pattern NAME = Pattern.compile(Patterns.ENDPOINT_NAME);
    private static final Pattern URL = Pattern.compile(Patterns.ENDPOINT_URL);
    /** An HTTP field name (RFC 9110 token). */
    private static final Pattern HEADER_NAME = Pattern.compile("[-!#$%&'*+.^_`|~0-9A-Za-z]+");
    /** A field value the proxy's HTTP client sends as it is: printable ASCII, spaces and tabs. */
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\t\\x20-\\x7e]*");
    private static final Set<NotificationEvent> DEFAULT_EVENTS = EnumSet.of(NotificationEvent.INSERT,
            NotificationEvent.DELETE);

    /** What makes two declarations of one name the same endpoint: everything but the repositories. */
    private record Target(String url, String headersSecret, String headersKey, Set<NotificationEvent> events) {
    }

    /** One endpoint as the first repository declared it, and every repository whose events it gets. */
    private record Declared(Subject owner, Target target, String headersFile, List<String> events,
            Set<String> repositories) {
    }

    private final Function<String, Optional<Secret>> secrets;
    private final CredentialFiles files;
    private final ProblemSink problems;
    private final Map<String, Declared> endpoints = new TreeMap<>();

    NotificationsPlanner(Function<String, Optional<Secret>> secrets, CredentialFiles files, ProblemSink problems) {
        this.secrets = secrets;
        this.files = files;
        this.problems = problems;
    }

    /**
     * Collects the endpoints one served repository declares.
     *
     * @param repositories whose events they get: the repository itself, or a virtual one's served upstreams (the
     *                     proxy names the repository that holds the content in an event)
     */
    void declare(Subject subject, List<String> repositories, NotificationsSpec notifications) {
        if (notifications == null || notifications.getEndpoints() == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        List<NotificationEndpoint> list = notifications.getEndpoints();
        for (int i = 0; i < list.size(); i++) {
            String at = "spec.notifications.endpoints[" + i + "]";
            NotificationEndpoint endpoint = list.get(i);
            if (endpoint == null || endpoint.getName() == null || !NAME.matcher(endpoint.getName()).matches()
                    || endpoint.getUrl() == null || !URL.matcher(endpoint.getUrl()).matches()) {
                report(subject, SPEC, "InvalidSpec", at + " needs a name of lowercase letters, digits and - and an"
                        + " absolute http(s) url; it is left out until it has");
                continue;
            }
            String name = endpoint.getName();
            if (!seen.add(name)) {
                report(subject, SPEC, "InvalidSpec", at + ": endpoint " + name + " is listed twice; left out here");
                continue;
            }
            HeadersSecretRef headers = endpoint.getHeadersSecretRef();
            String key = headers == null || headers.getKey() == null ? DEFAULT_HEADERS_KEY : headers.getKey();
            Optional<String> content = Optional.empty();
            if (headers != null) {
                content = headers(subject, at + ".headersSecretRef", name, headers.getName(), key);
                if (content.isEmpty()) {
                    continue;
                }
            }
            List<NotificationEvent> events = endpoint.getEvents() == null ? List.of() : endpoint.getEvents();
            Set<NotificationEvent> effective = events.isEmpty() ? DEFAULT_EVENTS : EnumSet.copyOf(events);
            Target target = new Target(endpoint.getUrl(), headers == null ? null : headers.getName(),
                    headers == null ? null : key, effective);
            Declared first = endpoints.get(name);
            if (first == null) {
                String headersFile = headers == null ? null : files.file(headers.getName(), key, content.get());
                List<String> rendered = events.isEmpty() ? null
                        : effective.stream().map(NotificationEvent::configName).toList();
                endpoints.put(name, new Declared(subject, target, headersFile, rendered,
                        new LinkedHashSet<>(repositories)));
            } else if (first.target().equals(target)) {
                first.repositories().addAll(repositories);
            } else {
                report(subject, CONFLICT, "NotificationConflict", "endpoint " + name + " (" + at + ") is declared by "
                        + first.owner() + " with another url, headers or events; its events from here are not sent"
                        + " until the two declarations agree (or one is renamed)");
            }
        }
    }

    /** The headers' base64 content, or empty when the Secret is missing or unusable (reported). */
    private Optional<String> headers(Subject subject, String at, String endpoint, String secretName, String key) {
        String consequence = "; no events are sent to endpoint " + endpoint + " from here until it is fixed";
        if (secretName == null) {
            report(subject, SPEC, "InvalidSpec", at + " needs a name" + consequence);
            return Optional.empty();
        }
        Optional<Secret> secret = secrets.apply(secretName);
        if (secret.isEmpty()) {
            report(subject, CREDENTIALS, "SecretNotFound", "Secret " + secretName + " (" + at
                    + ") not found in the namespace" + consequence);
            return Optional.empty();
        }
        Optional<String> value = NamespacePlanner.value(secret.get(), key);
        if (value.isEmpty()) {
            report(subject, CREDENTIALS, "SecretKeyNotFound", "Secret " + secretName + " (" + at + ") has no key '"
                    + key + "'" + consequence);
            return Optional.empty();
        }
        String problem = headersProblem(value.get());
        if (problem != null) {
            report(subject, CREDENTIALS, "SecretInvalid", "Secret " + secretName + " (" + at + "), key '" + key + "': "
                    + problem + consequence);
            return Optional.empty();
        }
        return value;
    }

    /**
     * Why the proxy could not send these headers, or null: it reads UTF-8 'Name: value' lines, skipping blank lines
     * and lines starting with #. Stricter than its reading where a header would not go out as written (a name that
     * is no HTTP token, a value with control or non-ASCII characters). The message never quotes a value.
     */
    static String headersProblem(String base64) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Base64.getDecoder().decode(base64)))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return "not UTF-8 text";
        }
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !HEADER_NAME.matcher(line.substring(0, colon).trim()).matches()) {
                return "line " + (i + 1) + " is not 'Name: value' with an HTTP header name";
            }
            if (!HEADER_VALUE.matcher(line.substring(colon + 1).trim()).matches()) {
                return "line " + (i + 1) + ": the value of " + line.substring(0, colon).trim()
                        + " may hold printable ASCII characters only";
            }
        }
        return null;
    }

    /** The notifications block, null when no served repository declares an endpoint (the proxy's default: none). */
    ProxyConfig.Notifications notifications() {
        if (endpoints.isEmpty()) {
            return null;
        }
        List<ProxyConfig.Endpoint> rendered = new ArrayList<>();
        endpoints.forEach((name, d) -> rendered.add(new ProxyConfig.Endpoint(name, d.target().url(), d.headersFile(),
                d.events(), List.copyOf(d.repositories()))));
        return new ProxyConfig.Notifications(List.copyOf(rendered));
    }

    private void report(Subject subject, Problem.Category category, String reason, String message) {
        problems.report(subject, category, reason, message);
    }
}
