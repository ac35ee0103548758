package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The routing table of one config generation: which repository and image name a request path means.
 * {@code /v2/<repository>/<name>/...} names the repository; mirror clients (containerd hosts.toml, Docker's
 * registry-mirrors) send {@code /v2/<name>/...}, optionally with {@code ?ns=<registry host>}, and land on the
 * repository whose {@code mirrorOf} lists that host (docker.io when no ns is given).
 */
public final class Repositories {
    private static final String DOCKER_HUB = "docker.io";

    public record Target(Repository repository, ImageName name) {
    }

    private final Map<String, Repository> byName;
    private final Map<String, Repository> byMirroredHost;

    /** Hosts are normalised ({@link #normalizeHost}); iteration order is not kept (listings sort). */
    public Repositories(Map<String, Repository> byName, Map<String, Repository> byMirroredHost) {
        this.byName = Map.copyOf(byName);
        this.byMirroredHost = Map.copyOf(byMirroredHost);
    }

    public Collection<Repository> all() {
        return byName.values();
    }

    public Repository named(String name) {
        return byName.get(name);
    }

    /**
     * @param path the name part of the request path, e.g. {@code dockerhub/library/nginx} or {@code nginx}
     * @param ns   containerd's {@code ns} query parameter, or null
     */
    public Target resolve(String path, String ns) {
        int slash = path.indexOf('/');
        String first = slash < 0 ? path : path.substring(0, slash);
        Repository named = byName.get(first);
        if (named != null && slash > 0) {
            return target(named, path.substring(slash + 1));
        }
        String host = ns == null || ns.isBlank() ? DOCKER_HUB : normalizeHost(ns);
        Repository mirror = byMirroredHost.get(host);
        if (mirror != null) {
            return target(mirror, path);
        }
        if (named != null) {
            throw new OciException(OciErrorCode.NAME_INVALID, "missing image name after repository '" + first
                    + "': use /v2/" + first + "/<name>/...");
        }
        throw new OciException(OciErrorCode.NAME_UNKNOWN, ns == null
                ? "no repository named '" + first + "' and no repository mirrors docker.io"
                : "no repository named '" + first + "' and no repository mirrors " + host);
    }

    private static Target target(Repository repository, String name) {
        ImageName image = new ImageName(name);
        return new Target(repository, repository.normalizesDockerHubNames() ? image.withDockerHubLibrary() : image);
    }

    /** docker.io is also known as index.docker.io and registry-1.docker.io. */
    public static String normalizeHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return switch (h) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> DOCKER_HUB;
            default -> h;
        };
    }
}
