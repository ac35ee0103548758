package dev.entrepot.e2e.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** skopeo against plain-http registries on 127.0.0.1. */
public final class Skopeo {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private Skopeo() {
    }

    /** {@code skopeo copy}; {@code extra} e.g. {@code --all}, {@code --format v2s2}. */
    public static Exec.Result copy(String source, String destination, String... extra) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet",
                "--src-tls-verify=false", "--dest-tls-verify=false"));
        command.addAll(List.of(extra));
        command.add(source);
        command.add(destination);
        return Exec.run(TIMEOUT, command);
    }

    public static void copyOk(String source, String destination, String... extra) {
        copy(source, destination, extra).requireOk();
    }

    /** Digest of the manifest {@code docker://ref} resolves to (for an index: the index itself). */
    public static String digest(String dockerRef) {
        return Exec.run(TIMEOUT, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", dockerRef)
                .requireOk().stdout().trim();
    }

    /** Manifest bytes exactly as the registry serves them. */
    public static String raw(String dockerRef) {
        return Exec.run(TIMEOUT, "skopeo", "inspect", "--tls-verify=false", "--raw", dockerRef).requireOk().stdout();
    }
}
