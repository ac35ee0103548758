package dev.entrepot.e2e.support;

import java.util.ArrayList;
import java.util.List;

/** Builds the {@code entrepot.yaml} the proxy under test reads (the config contract of DESIGN.md). */
public final class ProxyConfig {
    private String maxSize = "10Gi";
    private final List<String> remotes = new ArrayList<>();

    public ProxyConfig maxSize(String value) {
        this.maxSize = value;
        return this;
    }

    /** A remote repository; {@code mirrorOf} may be null. */
    public ProxyConfig remote(String name, String url, String tagTtl, String mirrorOf) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("  - name: ").append(name).append('\n');
        yaml.append("    mode: remote\n");
        if (mirrorOf != null) {
            yaml.append("    mirrorOf: [").append(mirrorOf).append("]\n");
        }
        yaml.append("    remote:\n");
        yaml.append("      url: ").append(url).append('\n');
        yaml.append("      tagTtl: ").append(tagTtl).append('\n');
        remotes.add(yaml.toString());
        return this;
    }

    /** Adds {@code retention} to the repository added last. */
    public ProxyConfig retention(String value) {
        int last = remotes.size() - 1;
        remotes.set(last, remotes.get(last) + "      retention: " + value + "\n");
        return this;
    }

    /** Adds upstream credentials (files holding the username and the password) to the repository added last. */
    public ProxyConfig credentials(java.nio.file.Path usernameFile, java.nio.file.Path passwordFile) {
        int last = remotes.size() - 1;
        remotes.set(last, remotes.get(last) + "      credentials:\n        usernameFile: " + usernameFile
                + "\n        passwordFile: " + passwordFile + "\n");
        return this;
    }

    /** The usual setup: repository {@code hub} mirroring docker.io. */
    public static ProxyConfig hub(String upstreamUrl, String tagTtl) {
        return new ProxyConfig().remote("hub", upstreamUrl, tagTtl, "docker.io");
    }

    public String yaml(String storagePath) {
        return "storage:\n  path: " + storagePath + "\n  maxSize: " + maxSize + "\n"
                + "repositories:\n" + String.join("", remotes);
    }
}
