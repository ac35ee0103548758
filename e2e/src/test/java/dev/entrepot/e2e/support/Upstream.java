package dev.entrepot.e2e.support;

import java.net.URI;
import java.nio.file.Path;

/**
 * The upstream side of a test: Debian's {@code docker-registry} holding the pushed test images,
 * a {@link CountingFront} before it (the URL the proxy is configured with, so every upstream
 * request is counted and faults can be injected), and the generator of the images.
 */
public final class Upstream implements AutoCloseable {
    private final DockerRegistry registry;
    private final CountingFront front;
    private final ImageGenerator images;

    private Upstream(DockerRegistry registry, CountingFront front, ImageGenerator images) {
        this.registry = registry;
        this.front = front;
        this.images = images;
    }

    public static Upstream start(Path dir) {
        DockerRegistry registry = DockerRegistry.start(dir.resolve("registry"));
        CountingFront front = CountingFront.start(registry.url());
        return new Upstream(registry, front, ImageGenerator.create(dir.resolve("layout")));
    }

    public DockerRegistry registry() {
        return registry;
    }

    public CountingFront front() {
        return front;
    }

    public ImageGenerator images() {
        return images;
    }

    /** What the proxy's repositories point at: the counting front. */
    public URI url() {
        return front.url();
    }

    /** Tags {@code descriptor} in the layout and pushes it to the registry (not through the front) as {@code nameAndTag}. */
    public void push(ImageGenerator.Descriptor descriptor, String nameAndTag, String... extra) {
        String tag = "t" + Integer.toHexString(nameAndTag.hashCode()) + descriptor.hex().substring(0, 12);
        images.tag(tag, descriptor);
        registry.push(images, tag, nameAndTag, extra);
    }

    /** The digest the registry itself reports for {@code nameAndReference} (after any format conversion). */
    public String digest(String nameAndReference) {
        return Skopeo.digest(registry.ref(nameAndReference));
    }

    /** Manifest bytes exactly as the registry serves them. */
    public String raw(String nameAndReference) {
        return Skopeo.raw(registry.ref(nameAndReference));
    }

    @Override
    public void close() {
        front.close();
        registry.close();
    }
}
