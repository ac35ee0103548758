package dev.entrepot.operator.crd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;

/**
 * What kube-apiserver checks when a CRD is created and fabric8's mock server does not: the API
 * server estimates each CEL rule's worst-case cost from the schema (an unbounded string counts as
 * a whole 3 MiB request, an unbounded list as all the items that fit in one) and rejects the CRD
 * when a rule may exceed {@value #RULE_LIMIT} or all rules together {@value #CRD_LIMIT}.
 * <p>
 * This lint reads the field paths each rule touches ({@code self.a.b}, and variables bound by
 * {@code all/exists/exists_one/map/filter} over a list), resolves them in the schema and reports
 * fields without {@code maxLength}/{@code maxItems}/{@code maxProperties} and unknown fields. Its
 * cost figure is deliberately pessimistic (every string read is charged in full, where the server
 * charges a comparison once): for the VirtualRepository CRD without maxLength, which the server
 * rejected with "exceeds budget by factor of 1.006660x" and "32.2x", it gives about twice those.
 */
final class CelRuleLint {

    /** apiextensions StaticEstimatedCostLimit: one rule, times the times it may run. */
    static final long RULE_LIMIT = 10_000_000L;
    /** apiextensions StaticEstimatedCRDCostLimit: all rules of a CRD version. */
    static final long CRD_LIMIT = 100_000_000L;
    /** The server's stand-in for an unbounded string or list: a 3 MiB request. */
    private static final long UNBOUNDED = 3L * 1024 * 1024;

    private static final Set<String> MACROS = Set.of("all", "exists", "exists_one", "map", "filter");
    private static final Pattern TOKEN = Pattern.compile(
            "'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\\.[0-9]+)?|&&|\\|\\||[=!<>]=|\\S");

    record Finding(String schemaPath, String rule, String problem) {
        @Override
        public String toString() {
            return (schemaPath.isEmpty() ? "<root>" : schemaPath) + " [" + rule + "]: " + problem;
        }
    }

    record Report(List<Finding> findings, List<String> rules, long maxRuleCost, long totalCost) {
    }

    private record Binding(String name, JSONSchemaProps schema, String path, long times, int depth) {
    }

    private final List<Finding> findings = new ArrayList<>();
    private final List<String> rules = new ArrayList<>();
    private long maxRuleCost;
    private long totalCost;

    private CelRuleLint() {
    }

    static Report lint(JSONSchemaProps openApiV3Schema) {
        CelRuleLint lint = new CelRuleLint();
        lint.walk(openApiV3Schema, "", 1);
        return new Report(List.copyOf(lint.findings), List.copyOf(lint.rules), lint.maxRuleCost, lint.totalCost);
    }

    /** @param cardinality how many times a rule at this node may run (product of enclosing list bounds) */
    private void walk(JSONSchemaProps node, String path, long cardinality) {
        for (ValidationRule rule : node.getXKubernetesValidations() == null ? List.<ValidationRule>of()
                : node.getXKubernetesValidations()) {
            rules.add(rule.getRule());
            long cost = cardinality * ruleCost(node, path, rule.getRule());
            maxRuleCost = Math.max(maxRuleCost, cost);
            totalCost += cost;
            if (cost > RULE_LIMIT) {
                findings.add(new Finding(path, rule.getRule(), "estimated cost " + cost + " exceeds " + RULE_LIMIT));
            }
        }
        if (node.getProperties() != null) {
            node.getProperties().forEach((name, child) -> walk(child, path + "." + name, cardinality));
        }
        if (node.getItems() != null && node.getItems().getSchema() != null) {
            walk(node.getItems().getSchema(), path + "[]", cardinality * bound(node.getMaxItems()));
        }
        if (node.getAdditionalProperties() != null && node.getAdditionalProperties().getSchema() != null) {
            walk(node.getAdditionalProperties().getSchema(), path + "{}", cardinality * bound(node.getMaxProperties()));
        }
    }

    /** Checks every field path of one rule and returns its pessimistic cost for one evaluation. */
    private long ruleCost(JSONSchemaProps self, String selfPath, String rule) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(rule);
        while (m.find()) {
            tokens.add(m.group());
        }
        Deque<Binding> scope = new ArrayDeque<>();
        int depth = 0;
        long cost = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.equals("(")) {
                depth++;
                continue;
            }
            if (token.equals(")")) {
                depth--;
                while (!scope.isEmpty() && scope.peek().depth() > depth) {
                    scope.pop();
                }
                continue;
            }
            Binding root = token.equals("self") || token.equals("oldSelf")
                    ? new Binding(token, self, selfPath, 1, 0) : bound(scope, token);
            if (root == null || (i > 0 && tokens.get(i - 1).equals("."))) {
                continue;
            }
            boolean presenceOnly = i >= 2 && tokens.get(i - 1).equals("(") && tokens.get(i - 2).equals("has");
            JSONSchemaProps schema = root.schema();
            String path = root.path();
            int j = i + 1;
            String method = null;
            while (j + 1 < tokens.size() && tokens.get(j).equals(".") && isIdentifier(tokens.get(j + 1))) {
                if (j + 2 < tokens.size() && tokens.get(j + 2).equals("(")) {
                    method = tokens.get(j + 1);
                    break;
                }
                String field = tokens.get(j + 1);
                JSONSchemaProps child = schema.getProperties() == null ? null : schema.getProperties().get(field);
                if (child == null) {
                    findings.add(new Finding(path, rule, "no field " + field));
                    return cost;
                }
                schema = child;
                path = path + "." + field;
                j += 2;
            }
            long times = times(scope);
            if (method != null && MACROS.contains(method) && j + 4 < tokens.size() && isIdentifier(tokens.get(j + 3))
                    && tokens.get(j + 4).equals(",")) {
                if (schema.getMaxItems() == null) {
                    findings.add(new Finding(path, rule, "list without maxItems is iterated"));
                }
                JSONSchemaProps items = schema.getItems() == null ? new JSONSchemaProps() : schema.getItems().getSchema();
                // The variable lives inside the macro's parentheses; continue after "recv.all(v,".
                depth++;
                scope.push(new Binding(tokens.get(j + 3), items, path + "[]", bound(schema.getMaxItems()), depth));
                i = j + 4;
                continue;
            }
            if (!presenceOnly) {
                cost += times * readCost(schema, path, rule);
            }
            i = j - 1;
        }
        return cost;
    }

    /** Cost of reading a whole value once; reports what in it is unbounded. */
    private long readCost(JSONSchemaProps schema, String path, String rule) {
        String type = schema.getType() == null ? "object" : schema.getType();
        switch (type) {
            case "string" -> {
                long length = stringBound(schema);
                if (length == UNBOUNDED) {
                    findings.add(new Finding(path, rule, "string without maxLength or enum"));
                }
                return 1 + (length + 9) / 10;
            }
            case "array" -> {
                if (schema.getMaxItems() == null) {
                    findings.add(new Finding(path, rule, "list without maxItems"));
                }
                JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
                return 1 + bound(schema.getMaxItems()) * (items == null ? 1 : readCost(items, path + "[]", rule));
            }
            case "object" -> {
                long cost = 1;
                if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
                    if (schema.getMaxProperties() == null) {
                        findings.add(new Finding(path, rule, "map without maxProperties"));
                    }
                    cost += bound(schema.getMaxProperties())
                            * readCost(schema.getAdditionalProperties().getSchema(), path + "{}", rule);
                }
                for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties() == null
                        ? Map.<String, JSONSchemaProps>of().entrySet() : schema.getProperties().entrySet()) {
                    cost += readCost(p.getValue(), path + "." + p.getKey(), rule);
                }
                return cost;
            }
            default -> {
                return 1;
            }
        }
    }

    /** As the API server estimates it: maxLength, else the longest enum value, else the request size. */
    private static long stringBound(JSONSchemaProps schema) {
        if (schema.getMaxLength() != null) {
            return schema.getMaxLength();
        }
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            return schema.getEnum().stream().mapToLong(e -> e.asText().length()).max().orElse(0);
        }
        return UNBOUNDED;
    }

    private static long bound(Long max) {
        return max == null ? UNBOUNDED : max;
    }

    private static long times(Deque<Binding> scope) {
        return scope.stream().mapToLong(Binding::times).reduce(1, Math::multiplyExact);
    }

    private static Binding bound(Deque<Binding> scope, String name) {
        return scope.stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    private static boolean isIdentifier(String token) {
        return Character.isJavaIdentifierStart(token.charAt(0));
    }
}
