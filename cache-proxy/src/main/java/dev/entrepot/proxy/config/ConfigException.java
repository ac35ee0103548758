package dev.entrepot.proxy.config;

import java.util.List;

/** An invalid {@code entrepot.yaml}; the message lists every problem with its path. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super("invalid configuration " + source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
