package dev.entrepot.proxy.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether containerd's CRI plugin reads the hosts directory the agent writes: its
 * {@code registry.config_path} (a ':'-separated list) must name it. containerd 1.x sets it under
 * {@code [plugins."io.containerd.grpc.v1.cri".registry]} and leaves it empty by default, so hosts.toml
 * files are ignored until a node is configured; containerd 2.x sets it under
 * {@code [plugins."io.containerd.cri.v1.images".registry]} with the default
 * {@code /etc/containerd/certs.d:/etc/docker/certs.d}. A config that may set it in another file
 * ({@code imports}) is reported as not known rather than guessed.
 */
public final class ContainerdConfigCheck {

    public enum Verdict { OK, NOT_SET, OTHER_PATH, UNKNOWN }

    /** @param configPath the config_path found (or the default assumed), null when there is none */
    public record Result(Verdict verdict, String configPath, String detail) {
        public boolean ok() {
            return verdict == Verdict.OK;
        }
    }

    private static final TomlMapper TOML = new TomlMapper();
    private static final List<List<String>> CRI_REGISTRY_TABLES = List.of(
            List.of("plugins", "io.containerd.grpc.v1.cri", "registry"),    // containerd 1.x, config version 2
            List.of("plugins", "cri", "registry"),                          // config version 1
            List.of("plugins", "io.containerd.cri.v1.images", "registry")); // containerd 2.x, config version 3
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
        JsonNode parsed;
        try {
            parsed = TOML.readTree(text);
        } catch (IOException e) {
            return new Result(Verdict.UNKNOWN, null, config + " is not valid TOML, as containerd would refuse it: "
                    + e.getMessage());
        }
        Optional<String> configPath = configPath(parsed);
        if (configPath.isPresent()) {
            return judge(configPath.get(), hostsDir, config + " sets config_path = \"" + configPath.get() + "\"");
        }
        if (parsed.path("imports").size() > 0) {
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

    /** The CRI registry config_path, if the config sets one. */
    private static Optional<String> configPath(JsonNode config) {
        for (List<String> table : CRI_REGISTRY_TABLES) {
            JsonNode node = config;
            for (String key : table) {
                node = node.path(key);
            }
            JsonNode value = node.path("config_path");
            if (value.isTextual()) {
                return Optional.of(value.asText());
            }
        }
        return Optional.empty();
    }
}
