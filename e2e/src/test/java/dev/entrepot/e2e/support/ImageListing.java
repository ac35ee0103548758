package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's listing API ({@code /api/v1/repositories}, {@code /api/v1/repositories/<repo>/images}) as a test
 * client: JSON rows, the {@code Link} of the next page, and the aligned table read back into cells. Requests are
 * anonymous or carry the {@code Authorization} value given.
 */
public final class ImageListing {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    private final EntrepotProxy proxy;
    private final String authorization;

    private ImageListing(EntrepotProxy proxy, String authorization) {
        this.proxy = proxy;
        this.authorization = authorization;
    }

    public static ImageListing anonymous(EntrepotProxy proxy) {
        return new ImageListing(proxy, null);
    }

    public static ImageListing basic(EntrepotProxy proxy, String user, String password) {
        return new ImageListing(proxy, "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    public OciClient.Response get(String path) {
        return get(path, Map.of());
    }

    public OciClient.Response get(String path, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (authorization != null) {
            all.put("Authorization", authorization);
        }
        return proxy.client().send("GET", path, all, null, Duration.ofSeconds(10));
    }

    /** The {@code images} rows of a listing that must succeed; {@code query} without {@code ?}, may be empty. */
    public JsonNode images(String repository, String query) {
        String path = "/api/v1/repositories/" + repository + "/images" + (query.isEmpty() ? "" : "?" + query);
        OciClient.Response response = get(path);
        assertThat(response.status()).as("GET %s: %s", path, response).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode images = PushClient.json(response).path("images");
        assertThat(images.isArray()).as("%s", response).isTrue();
        return images;
    }

    /** {@code /api/v1/repositories} by name, in the order answered. */
    public Map<String, JsonNode> repositories() {
        OciClient.Response response = get("/api/v1/repositories");
        assertThat(response.status()).as("GET /api/v1/repositories: %s", response).isEqualTo(200);
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        PushClient.json(response).path("repositories").forEach(r -> byName.put(r.path("name").asText(), r));
        return byName;
    }

    /** The row of {@code digest}; fails when it is not listed. */
    public static JsonNode row(JsonNode rows, String digest) {
        for (JsonNode r : rows) {
            if (r.path("digest").asText().equals(digest)) {
                return r;
            }
        }
        throw new AssertionError(digest + " not listed in " + rows);
    }

    public static List<String> digests(JsonNode rows) {
        List<String> digests = new ArrayList<>();
        rows.forEach(r -> digests.add(r.path("digest").asText()));
        return digests;
    }

    public static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The listing's size of an image: its config and layers. */
    public static long size(ImageGenerator.Image image) {
        return image.config().size() + image.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
    }

    /** The path and query of the next page, or null on the last. */
    public static String next(OciClient.Response response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        assertThat(m.matches()).as("Link %s", link).isTrue();
        return m.group(1);
    }

    /**
     * Rows of an aligned table: each column starts where its header does, with at least two spaces before it; a
     * cell is what lies between its column's start and the next's (empty for a version without tags).
     */
    public static List<Map<String, String>> table(String text, List<String> columns) {
        List<String> lines = text.lines().toList();
        String header = lines.get(0);
        assertThat(header.split("\\s{2,}")).as("header of\n%s", text).containsExactlyElementsOf(columns);
        int[] starts = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            starts[i] = header.indexOf(columns.get(i));
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                int start = starts[i];
                int end = i + 1 < starts.length ? starts[i + 1] : line.length();
                if (i > 0) {
                    assertThat(line.substring(start - 2, start)).as("two spaces before %s in '%s'", columns.get(i), line)
                            .isEqualTo("  ");
                }
                String cell = line.substring(start, Math.min(end, line.length())).trim();
                assertThat(cell).as("%s in '%s' stays in its column", columns.get(i), line).doesNotContain(" ");
                row.put(columns.get(i), cell);
            }
            rows.add(row);
        }
        return rows;
    }
}
