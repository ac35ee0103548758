package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The routing table of one config generation: which repository and image name a request path means.
 * {@code /v2/<repository>/<name>/...} names the repository. containerd mirror requests carry
 * {@code ?ns=<registry host>}: they go to the repository whose {@code mirrorOf} lists that host, the whole path
 * being the image name (unless it starts with that same repository's name). Docker's registry-mirrors send
 * {@code /v2/<name>/...} without ns: a first segment that is not a repository means the docker.io mirror.
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
        if (ns != null && !ns.isBlank()) {
            // containerd mirror request: the path is the image as the node knows it. Only a prefix naming the very
            // repository that mirrors ns is ours (hosts.toml with override_path); otherwise it is part of the name.
            String host = normalizeHost(ns);
            Repository mirror = byMirroredHost.get(host);
            if (mirror != null) {
                return mirror == named && slash > 0 ? target(mirror, path.substring(slash + 1)) : target(mirror, path);
            }
            if (named == null) {
                throw new OciException(OciErrorCode.NAME_UNKNOWN, "no repository named '" + first
                        + "' and no repository mirrors " + host);
            }
        }
        if (named != null && slash > 0) {
            return target(named, path.substring(slash + 1));
        }
        // Docker's registry-mirrors send Docker Hub names without ns (/v2/team/... is docker.io/library/team).
        Repository hub = byMirroredHost.get(DOCKER_HUB);
        if (hub != null) {
            return target(hub, path);
        }
        if (named != null) {
            throw new OciException(OciErrorCode.NAME_INVALID, "missing image name after repository '" + first
                    + "': use /v2/" + first + "/<name>/...");
        }
        throw new OciException(OciErrorCode.NAME_UNKNOWN, "no repository named '" + first
                + "' and no repository mirrors docker.io");
    }

    private static Target target(Repository repository, String name) {
        return new Target(repository, new ImageName(name));
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
