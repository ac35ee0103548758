package dev.entrepot.e2e.support;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds the {@code entrepot.yaml} the proxy under test reads (the config contract of DESIGN.md). */
public final class ProxyConfig {
    private String maxSize = "10Gi";
    private String storageExtra = "";
    private String s3 = "";
    private String auth = "";
    private String tls = "";
    private String notifications = "";
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

    /**
     * A standard (hosted) repository. {@code cleanup} may be null, else the YAML flow map of its cleanup policy,
     * e.g. {@code {dryRun: false, keepRecent: 1, deleteUntaggedOlderThan: 1s}}.
     */
    public ProxyConfig standard(String name, boolean immutableTags, String cleanup) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("  - name: ").append(name).append('\n');
        yaml.append("    mode: standard\n");
        yaml.append("    standard:\n");
        yaml.append("      immutableTags: ").append(immutableTags).append('\n');
        if (cleanup != null) {
            yaml.append("      cleanup: ").append(cleanup).append('\n');
        }
        remotes.add(yaml.toString());
        return this;
    }

    /**
     * A virtual repository over this proxy's repositories; {@code mirrorOf}, {@code pushTo}, {@code equalPriority}
     * ({@code fastest} | {@code ordered}) and {@code resolutionTtl} may be null (defaults). {@code upstreams} as
     * {@code repository:priority}, e.g. {@code "main:100"}.
     */
    public ProxyConfig virtual(String name, String mirrorOf, String pushTo, String equalPriority, String resolutionTtl,
            String... upstreams) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("  - name: ").append(name).append('\n');
        yaml.append("    mode: virtual\n");
        if (mirrorOf != null) {
            yaml.append("    mirrorOf: [").append(mirrorOf).append("]\n");
        }
        yaml.append("    virtual:\n");
        yaml.append("      upstreams:\n");
        for (String upstream : upstreams) {
            int colon = upstream.lastIndexOf(':');
            yaml.append("        - {repository: ").append(upstream, 0, colon)
                    .append(", priority: ").append(upstream.substring(colon + 1)).append("}\n");
        }
        if (pushTo != null) {
            yaml.append("      pushTo: ").append(pushTo).append('\n');
        }
        if (equalPriority != null) {
            yaml.append("      equalPriority: ").append(equalPriority).append('\n');
        }
        if (resolutionTtl != null) {
            yaml.append("      resolutionTtl: ").append(resolutionTtl).append('\n');
        }
        remotes.add(yaml.toString());
        return this;
    }

    /** Garbage collection of hosted content: interval ({@code 0s}: on demand only) and grace period. */
    public ProxyConfig gc(String interval, String gracePeriod) {
        storageExtra += "  gc: {interval: " + interval + ", gracePeriod: " + gracePeriod + "}\n";
        return this;
    }

    /**
     * Hosted content in an S3 bucket ({@code storage.type: s3}), path-style, with the key pair in two files and the
     * smallest parts (5 MiB), so blobs above that go up as multipart uploads.
     */
    public ProxyConfig s3(URI endpoint, String bucket, Path accessKeyIdFile, Path secretAccessKeyFile) {
        s3 = "  type: s3\n  s3:\n    bucket: " + bucket + "\n    endpoint: " + endpoint
                + "\n    pathStyle: true\n    accessKeyIdFile: " + accessKeyIdFile + "\n    secretAccessKeyFile: "
                + secretAccessKeyFile + "\n    partSize: 5Mi\n";
        return this;
    }

    /** {@code storage.s3.localCacheSize}, the bound of the local copies of hosted blobs; after {@link #s3}. */
    public ProxyConfig s3LocalCacheSize(String value) {
        return s3Setting("localCacheSize", value);
    }

    /** Sets (or replaces) {@code storage.s3.<key>}, e.g. {@code partSize}; after {@link #s3}. */
    public ProxyConfig s3Setting(String key, String value) {
        if (s3.isEmpty()) {
            throw new IllegalStateException("storage.s3." + key + " before s3");
        }
        String line = "    " + key + ": ";
        StringBuilder block = new StringBuilder();
        s3.lines().filter(l -> !l.startsWith(line)).forEach(l -> block.append(l).append('\n'));
        s3 = block.append(line).append(value).append('\n').toString();
        return this;
    }

    /** How long an idle upload session lives. */
    public ProxyConfig uploadExpiry(String value) {
        storageExtra += "  uploadExpiry: " + value + "\n";
        return this;
    }

    /** Users from password files; {@code users} as YAML flow maps, e.g. {@code {name: ci, passwordFile: /p, role: writer}}. */
    public ProxyConfig auth(boolean anonymousPull, String... users) {
        auth = "auth:\n  anonymousPull: " + anonymousPull + "\n  users:\n"
                + String.join("", Arrays.stream(users).map(u -> "    - " + u + "\n").toList());
        return this;
    }

    /** A whole {@code auth:} block as YAML (users, token, kubernetes), replacing any {@link #auth} set before. */
    public ProxyConfig authBlock(String yaml) {
        auth = yaml.endsWith("\n") ? yaml : yaml + "\n";
        return this;
    }

    /** Sets {@code anonymousPull} on the repository named {@code name} (added before). */
    public ProxyConfig anonymousPull(String name, boolean value) {
        String entry = "  - name: " + name + "\n";
        for (int i = 0; i < remotes.size(); i++) {
            if (remotes.get(i).startsWith(entry)) {
                remotes.set(i, entry + "    anonymousPull: " + value + "\n" + remotes.get(i).substring(entry.length()));
                return this;
            }
        }
        throw new IllegalArgumentException("no repository " + name);
    }

    /** HTTPS on the proxy port from PEM files. */
    public ProxyConfig tls(java.nio.file.Path certFile, java.nio.file.Path keyFile) {
        tls = "tls:\n  certFile: " + certFile + "\n  keyFile: " + keyFile + "\n";
        return this;
    }

    /** A whole {@code notifications:} block as YAML (host, maxAge, endpoints), replacing any set before. */
    public ProxyConfig notifications(String yaml) {
        notifications = yaml.endsWith("\n") ? yaml : yaml + "\n";
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
        return "storage:\n  path: " + storagePath + "\n  maxSize: " + maxSize + "\n" + storageExtra + s3
                + "repositories:\n" + String.join("", remotes) + auth + tls + notifications;
    }
}
