package dev.entrepot.proxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether containerd's CRI plugin reads the hosts directory the agent writes: its
 * {@code registry.config_path} (a ':'-separated list) must name it. containerd 1.x sets it under
 * {@code [plugins."io.containerd.grpc.v1.cri".registry]} and leaves it empty by default, so hosts.toml
 * files are ignored until a node is configured; containerd 2.x sets it under
 * {@code [plugins."io.containerd.cri.v1.images".registry]} with the default
 * {@code /etc/containerd/certs.d:/etc/docker/certs.d}. Reads only the TOML this needs: table headers
 * and {@code key = "string"} lines (basic or literal strings, dotted keys); a config that hides the
 * setting elsewhere ({@code imports}, inline tables) is reported as not known rather than guessed.
 */
public final class ContainerdConfigCheck {

    public enum Verdict { OK, NOT_SET, OTHER_PATH, UNKNOWN }

    /** @param configPath the config_path found (or the default assumed), null when there is none */
    public record Result(Verdict verdict, String configPath, String detail) {
        public boolean ok() {
            return verdict == Verdict.OK;
        }
    }

    private static final Set<String> CRI_REGISTRY_TABLES = Set.of(
            "plugins.io.containerd.grpc.v1.cri.registry",   // containerd 1.x, config version 2 (and 2.x migrating it)
            "plugins.cri.registry",                         // config version 1
            "plugins.io.containerd.cri.v1.images.registry"); // containerd 2.x, config version 3
    private static final String DEFAULT_2X = "/etc/containerd/certs.d:/etc/docker/certs.d";

    private ContainerdConfigCheck() {
    }

    /**
     * @param config containerd's config.toml as the agent reads it
     * @param hostsDir the directory as containerd names it
     * @param containerdVersion e.g. 1.7 or 2.1: decides the default when config_path is not set
     */
    public static Result check(Path config, Path hostsDir, String containerdVersion) {
        boolean v2 = !containerdVersion.startsWith("1.");
        String text;
        try {
            text = Files.readString(config, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return v2 ? judge(DEFAULT_2X, hostsDir, config + " does not exist: containerd " + containerdVersion
                    + " uses its default config_path " + DEFAULT_2X)
                    : new Result(Verdict.NOT_SET, null, config + " does not exist, so containerd "
                            + containerdVersion + " has no config_path and ignores " + hostsDir + "; " + fix(hostsDir, v2));
        } catch (IOException e) {
            return new Result(Verdict.UNKNOWN, null, "cannot read " + config + ": " + e.getMessage());
        }
        Optional<String> configPath = configPath(text);
        if (configPath.isPresent()) {
            return judge(configPath.get(), hostsDir, config + " sets config_path = \"" + configPath.get() + "\"");
        }
        if (text.lines().anyMatch(l -> l.strip().startsWith("imports"))) {
            return new Result(Verdict.UNKNOWN, null, config + " has no config_path but imports other files,"
                    + " which the agent does not follow; make sure one of them sets it to " + hostsDir);
        }
        return v2 ? judge(DEFAULT_2X, hostsDir, config + " does not set config_path: containerd "
                + containerdVersion + " uses its default " + DEFAULT_2X)
                : new Result(Verdict.NOT_SET, null, config + " does not set config_path, so containerd "
                        + containerdVersion + " ignores " + hostsDir + "; " + fix(hostsDir, v2));
    }

    private static Result judge(String configPath, Path hostsDir, String found) {
        if (Arrays.asList(configPath.split(":")).stream().map(p -> p.replaceFirst("/+$", ""))
                .anyMatch(p -> p.equals(hostsDir.toString().replaceFirst("/+$", "")))) {
            return new Result(Verdict.OK, configPath, found + ", which includes " + hostsDir);
        }
        if (configPath.isBlank()) {
            return new Result(Verdict.NOT_SET, configPath, found + ": empty, so containerd ignores " + hostsDir);
        }
        return new Result(Verdict.OTHER_PATH, configPath, found + ", which does not include " + hostsDir
                + ": containerd ignores the files the agent writes");
    }

    private static String fix(Path hostsDir, boolean v2) {
        String table = v2 ? "[plugins.\"io.containerd.cri.v1.images\".registry]"
                : "[plugins.\"io.containerd.grpc.v1.cri\".registry]";
        return "set " + table + " config_path = \"" + hostsDir + "\" and restart containerd once";
    }

    /** The CRI registry config_path, if the file sets one. */
    static Optional<String> configPath(String toml) {
        List<String> table = List.of();
        for (String raw : toml.lines().toList()) {
            String line = stripComment(raw).strip();
            if (line.isEmpty() || line.startsWith("[[")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                table = keys(line.substring(1, line.length() - 1));
                continue;
            }
            int eq = equalsSign(line);
            if (eq < 0) {
                continue;
            }
            List<String> path = new ArrayList<>(table);
            path.addAll(keys(line.substring(0, eq)));
            String key = String.join(".", path);
            if (key.endsWith(".config_path") && CRI_REGISTRY_TABLES.contains(key.substring(0, key.length() - 12))) {
                Optional<String> value = string(line.substring(eq + 1).strip());
                if (value.isPresent()) {
                    return value;
                }
            }
        }
        return Optional.empty();
    }

    /** A dotted key, quoted parts unquoted: plugins."io.containerd.grpc.v1.cri".registry -> 3 parts. */
    private static List<String> keys(String dotted) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (char c : dotted.strip().toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '.') {
                parts.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString().strip());
        return parts;
    }

    private static int equalsSign(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    private static Optional<String> string(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            return Optional.of(value.substring(1, value.length() - 1));
        }
        return Optional.empty();
    }

    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#') {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
