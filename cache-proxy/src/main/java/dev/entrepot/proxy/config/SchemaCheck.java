package dev.entrepot.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Checks the shape of {@code entrepot.yaml} against the config records before anything binds it, so that every
 * problem is reported at once, in the file's terms: the path ({@code repositories[1].remote.url}), what is wrong
 * (an unknown field with the nearest valid name, a value of the wrong type, a value not among an enum's), and the line
 * of the offending key. Never a Java class name.
 */
final class SchemaCheck {
    /** Types written as one YAML scalar (some are records on the Java side). */
    private static final Set<Class<?>> SCALARS = Set.of(ByteSize.class, Duration.class, URI.class, Path.class,
            String.class, Boolean.class, Integer.class);

    private final List<String> problems = new ArrayList<>();

    private SchemaCheck() {
    }

    static List<String> check(Node root) {
        SchemaCheck check = new SchemaCheck();
        check.value(root, EntrepotConfig.class, "", root);
        return check.problems;
    }

    private void value(Node node, Type type, String path, Node key) {
        if (node == null || isNull(node)) {
            return;
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw.isRecord() && !SCALARS.contains(raw)) {
            record(node, raw, path, key);
        } else if (List.class.isAssignableFrom(raw)) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            if (!(node instanceof SequenceNode sequence)) {
                problem(path, "expected a list", key);
                return;
            }
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                value(items.get(i), element, path + "[" + i + "]", items.get(i));
            }
        } else if (!(node instanceof ScalarNode scalar)) {
            problem(path, "expected " + describe(raw) + ", not a " + (node instanceof MappingNode ? "mapping" : "list"),
                    key);
        } else {
            scalar(scalar.getValue(), raw, path, key);
        }
    }

    private void record(Node node, Class<?> type, String path, Node key) {
        if (!(node instanceof MappingNode mapping)) {
            problem(path.isEmpty() ? "(top level)" : path, "expected a mapping of fields", key);
            return;
        }
        List<String> names = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(c.getName());
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(tuple.getKeyNode());
            String at = path.isEmpty() ? name : path + "." + name;
            if (!seen.add(name)) {
                problem(at, "given twice", tuple.getKeyNode());
                continue;
            }
            RecordComponent component = null;
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getName().equals(name)) {
                    component = c;
                }
            }
            if (component == null) {
                String nearest = nearest(name, names);
                problem(at, "unknown field '" + name + "'" + (nearest == null ? "" : " (did you mean '" + nearest + "'?)")
                        + "; known here: " + String.join(", ", names), tuple.getKeyNode());
                continue;
            }
            value(tuple.getValueNode(), component.getGenericType(), at, tuple.getKeyNode());
        }
    }

    private void scalar(String text, Class<?> type, String path, Node key) {
        try {
            if (type == Boolean.class || type == boolean.class) {
                if (!text.equals("true") && !text.equals("false")) {
                    problem(path, "expected true or false, got '" + text + "'", key);
                }
            } else if (type == Integer.class || type == int.class) {
                Integer.parseInt(text);
            } else if (type == Duration.class) {
                GoDuration.parse(text);
            } else if (type == ByteSize.class) {
                ByteSize.parse(text);
            } else if (type == URI.class) {
                new URI(text);
            } else if (type == Path.class) {
                Path.of(text);
            } else if (type.isEnum()) {
                List<String> values = enumValues(type);
                if (!values.contains(text)) {
                    String nearest = nearest(text, values);
                    problem(path, "'" + text + "' is not one of " + String.join(", ", values)
                            + (nearest == null ? "" : " (did you mean '" + nearest + "'?)"), key);
                }
            }
        } catch (NumberFormatException e) {
            problem(path, "expected a whole number, got '" + text + "'", key);
        } catch (URISyntaxException | IllegalArgumentException | ArithmeticException e) {
            problem(path, e.getMessage(), key);
        }
    }

    private static List<String> enumValues(Class<?> type) {
        List<String> values = new ArrayList<>();
        for (Field f : type.getFields()) {
            if (f.isEnumConstant()) {
                JsonProperty p = f.getAnnotation(JsonProperty.class);
                values.add(p != null ? p.value() : f.getName().toLowerCase(Locale.ROOT));
            }
        }
        return values;
    }

    private static String describe(Class<?> type) {
        if (type == Boolean.class) {
            return "true or false";
        }
        if (type == Integer.class) {
            return "a whole number";
        }
        if (type == Duration.class) {
            return "a duration such as 30s or 5m";
        }
        if (type == ByteSize.class) {
            return "a size such as 50Gi";
        }
        return type.isEnum() ? "one of " + String.join(", ", enumValues(type)) : "a single value";
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && "tag:yaml.org,2002:null".equals(s.getTag().getValue());
    }

    private void problem(String path, String what, Node at) {
        problems.add(path + ": " + what + " (line " + (at.getStartMark().getLine() + 1) + ")");
    }

    /** The closest candidate within two edits (or sharing the first four letters), else null. */
    static String nearest(String given, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(given.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        boolean samePrefix = given.length() >= 4 && best.toLowerCase(Locale.ROOT).startsWith(
                given.substring(0, 4).toLowerCase(Locale.ROOT));
        return bestDistance <= 2 || samePrefix ? best : null;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
