package dev.entrepot.e2e.support;

import java.nio.file.Path;

/**
 * Three docker-registry upstreams for the remote members of a virtual repository: {@code main} (the top priority
 * in the tests) and {@code s1}, {@code s2} (an equal-priority tier). {@code main}'s remote points straight at its
 * registry, so stopping that registry means refused connections (its requests are read from the registry's access
 * log); {@code s1} and {@code s2} are reached through their {@link CountingFront}s, which answer 502 while their
 * registry is stopped, as a gateway before a dead registry does.
 */
public final class TieredUpstreams implements AutoCloseable {
    private final Upstream main;
    private final Upstream s1;
    private final Upstream s2;

    private TieredUpstreams(Upstream main, Upstream s1, Upstream s2) {
        this.main = main;
        this.s1 = s1;
        this.s2 = s2;
    }

    public static TieredUpstreams start(Path dir) {
        return new TieredUpstreams(Upstream.start(dir.resolve("main")), Upstream.start(dir.resolve("s1")),
                Upstream.start(dir.resolve("s2")));
    }

    public Upstream main() {
        return main;
    }

    public Upstream s1() {
        return s1;
    }

    public Upstream s2() {
        return s2;
    }

    /** What reached {@code main}'s registry (it has no front). */
    public RegistryAccessLog mainLog() {
        return RegistryAccessLog.of(main.registry());
    }

    /** Remote repositories {@code main}, {@code s1}, {@code s2} over the three upstreams. */
    public ProxyConfig remotes(ProxyConfig config, String tagTtl) {
        return config.remote("main", main.registry().url().toString(), tagTtl, null)
                .remote("s1", s1.url().toString(), tagTtl, null)
                .remote("s2", s2.url().toString(), tagTtl, null);
    }

    /** Pushes a fresh one-layer image (its own digest) to {@code upstream} as {@code nameAndTag}. */
    public static ImageGenerator.Image push(Upstream upstream, String nameAndTag) {
        String label = nameAndTag.replaceAll("[^a-zA-Z0-9]+", "-");
        ImageGenerator.Image image = upstream.images().image(label, "amd64", 20_000);
        upstream.push(image.manifest(), nameAndTag);
        return image;
    }

    public void stopAll() {
        main.registry().stop();
        s1.registry().stop();
        s2.registry().stop();
    }

    public void startAll() {
        main.registry().start();
        s1.registry().start();
        s2.registry().start();
    }

    @Override
    public void close() {
        s2.close();
        s1.close();
        main.close();
    }
}
