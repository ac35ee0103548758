package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.store.HostedBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Online mark-and-sweep of hosted content. Mark (no lock): every manifest of every hosted repository on disk —
 * configured or not — keeps itself, its config, layers and listed manifests. Sweep (pushes wait): a blob link
 * nothing in its image references and older than the grace period goes; then a blob no manifest references, no
 * image links, and not used within the grace period goes — unless a push referred to it since the mark began, or a
 * reader holds it. A manifest that cannot be read stops the collection before it removes anything.
 */
public final class GarbageCollector {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);

    /** What a collection removed (or, as a dry run, would remove). */
    public record Report(boolean dryRun, int manifests, int linksRemoved, int blobsRemoved, long bytesRemoved,
                         List<String> removedBlobs, Duration took) {
    }

    private record Link(String repository, ImageName name, Digest digest) {
    }

    private final HostedStores stores;

    public GarbageCollector(HostedStores stores) {
        this.stores = stores;
    }

    /** Blocking. Null when a collection is already running. */
    public Report collect(Duration gracePeriod, boolean dryRun) throws Exception {
        CollectionGuard guard = stores.guard();
        if (!guard.begin()) {
            return null;
        }
        long started = System.nanoTime();
        Instant cutoff = stores.clock().instant().minus(gracePeriod);
        Set<Digest> marked = new HashSet<>();
        Map<Link, Instant> links = new HashMap<>();
        int manifests;
        try {
            manifests = mark(marked, links);
        } catch (Exception e) {
            guard.abandon();
            throw e;
        }
        Report report = guard.sweep(recent -> sweep(marked, links, recent, cutoff, dryRun, manifests, started));
        LOG.infof("garbage collection%s: %d manifests marked, %d blob links and %d blobs (%d bytes) %s in %d ms%s",
                dryRun ? " (dry run)" : "", manifests, report.linksRemoved(), report.blobsRemoved(),
                report.bytesRemoved(), dryRun ? "would be removed" : "removed", report.took().toMillis(),
                listed(report.removedBlobs()));
        return report;
    }

    private static String listed(List<String> digests) {
        if (digests.isEmpty()) {
            return "";
        }
        int shown = Math.min(digests.size(), 50);
        return ": " + String.join(", ", digests.subList(0, shown))
                + (digests.size() > shown ? " and " + (digests.size() - shown) + " more" : "");
    }

    /**
     * Marks what every manifest keeps; collects links nothing in their own image references. Each image is read under
     * its lock, so a delete running meanwhile is seen whole or not at all (never a manifest half gone).
     */
    private int mark(Set<Digest> marked, Map<Link, Instant> unreferencedLinks) throws Exception {
        HostedMetadataStore metadata = stores.metadata();
        int count = 0;
        for (String repository : metadata.repositories()) {
            for (String stored : metadata.storedNames(repository)) {
                ImageName name = new ImageName(stored);
                count += stores.locks().locked(repository, name, () -> markImage(repository, name, marked,
                        unreferencedLinks));
            }
        }
        return count;
    }

    private int markImage(String repository, ImageName name, Set<Digest> marked, Map<Link, Instant> unreferencedLinks)
            throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        Set<Digest> inImage = new HashSet<>();
        int count = 0;
        for (Revision revision : metadata.revisions(repository, name)) {
            Optional<ManifestContent> manifest = metadata.manifest(repository, name, revision.digest());
            if (manifest.isEmpty()) {
                throw new IOException("manifest " + revision.digest() + " of " + repository + "/" + name
                        + " is recorded but its bytes are missing; collection stopped, nothing removed");
            }
            ParsedManifest parsed;
            try {
                parsed = ManifestCheck.stored(manifest.get().bytes(), revision.mediaType());
            } catch (RuntimeException e) {
                throw new IOException("manifest " + revision.digest() + " of " + repository + "/" + name
                        + " cannot be read (" + e.getMessage() + "); collection stopped, nothing removed", e);
            }
            inImage.add(revision.digest());
            inImage.addAll(parsed.references());
            count++;
        }
        marked.addAll(inImage);
        for (Map.Entry<Digest, Instant> link : metadata.blobLinks(repository, name).entrySet()) {
            if (!inImage.contains(link.getKey())) {
                unreferencedLinks.put(new Link(repository, name, link.getKey()), link.getValue());
            }
        }
        return count;
    }

    private Report sweep(Set<Digest> marked, Map<Link, Instant> unreferencedLinks, Set<Digest> recent, Instant cutoff,
                         boolean dryRun, int manifests, long started) {
        HostedMetadataStore metadata = stores.metadata();
        Set<Digest> stillLinked = new HashSet<>();
        int linksRemoved = 0;
        for (Map.Entry<Link, Instant> entry : unreferencedLinks.entrySet()) {
            Link link = entry.getKey();
            if (recent.contains(link.digest()) || !entry.getValue().isBefore(cutoff)) {
                stillLinked.add(link.digest());
                continue;
            }
            try {
                if (!dryRun) {
                    metadata.unlinkBlob(link.repository(), link.name(), link.digest());
                }
                linksRemoved++;
            } catch (IOException e) {
                LOG.warnf("cannot remove blob link %s from %s/%s: %s", link.digest(), link.repository(), link.name(),
                        e.getMessage());
                stillLinked.add(link.digest());
            }
        }
        HostedBlobStore blobs = stores.blobs();
        List<String> removed = new ArrayList<>();
        long bytes = 0;
        for (HostedBlobStore.Stat blob : blobs.list()) {
            Digest d = blob.digest();
            if (marked.contains(d) || recent.contains(d) || stillLinked.contains(d) || !blob.lastUsed().isBefore(cutoff)) {
                continue;
            }
            if (dryRun || blobs.remove(d)) {
                removed.add(d.toString());
                bytes += blob.size();
            }
        }
        return new Report(dryRun, manifests, linksRemoved, removed.size(), bytes, List.copyOf(removed),
                Duration.ofNanos(System.nanoTime() - started));
    }
}
