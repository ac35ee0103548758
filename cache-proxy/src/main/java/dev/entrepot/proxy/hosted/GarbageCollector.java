package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.store.BlobUses;
import dev.entrepot.proxy.store.HostedBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Online mark-and-sweep of hosted content. Mark (no lock): every manifest of every hosted repository in the store —
 * configured or not — keeps itself, its config, layers and listed manifests. Sweep (pushes of this process wait): a
 * blob link nothing in its image references and older than the grace period goes; then a blob no manifest
 * references, no image links, and not used within the grace period goes — unless a push referred to it since the mark
 * began, or a reader holds it. A manifest that cannot be read stops the collection before it removes anything.
 *
 * <p>Processes sharing the store (replicas on one bucket) collect one at a time: a collection runs only with the
 * store's lease, and stops removing once the lease may have lapsed. Their pushes are seen through the store's
 * {@link BlobUses}: uses older than the grace period are forgotten before the mark, uses since then spare their blobs,
 * and every blob (with its links) is removed only through {@link BlobUses#removeUnlessUsed}, which spares a blob a
 * push announced even while the sweep runs.
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

    /**
     * Blocking. Null when a collection is already running, here or (unless a dry run, which removes nothing and needs
     * no lease) in another process sharing the store.
     */
    public Report collect(Duration gracePeriod, boolean dryRun) throws Exception {
        CollectionGuard guard = stores.guard();
        if (!guard.begin()) {
            return null;
        }
        BlobUses uses = stores.blobs().uses();
        Optional<BlobUses.Lease> lease;
        try {
            lease = dryRun ? Optional.empty() : uses.lease();
        } catch (Exception e) {
            guard.abandon();
            throw e;
        }
        if (!dryRun && lease.isEmpty()) {
            guard.abandon();
            LOG.info("garbage collection skipped: another process sharing the hosted store is collecting");
            return null;
        }
        try {
            return collect(guard, uses, lease.orElse(null), gracePeriod, dryRun);
        } finally {
            lease.ifPresent(BlobUses.Lease::close);
        }
    }

    private Report collect(CollectionGuard guard, BlobUses uses, BlobUses.Lease lease, Duration gracePeriod,
                           boolean dryRun) throws Exception {
        long started = System.nanoTime();
        Instant cutoff = stores.clock().instant().minus(gracePeriod);
        Set<Digest> marked = new HashSet<>();
        Map<Link, Instant> links = new HashMap<>();
        Set<Digest> used;
        List<HostedBlobStore.Stat> blobs;
        int manifests;
        try {
            if (!dryRun) {
                uses.forgetUsesBefore(cutoff);
            }
            used = uses.usedSince(cutoff);
            manifests = mark(marked, links);
            blobs = stores.blobs().list(); // after the mark: a blob stored since is not listed, so not removed
        } catch (Exception e) {
            guard.abandon();
            throw e;
        }
        Sweep sweep = new Sweep(uses, lease, dryRun);
        guard.sweep(recent -> {
            Set<Digest> spared = new HashSet<>(recent);
            spared.addAll(used);
            sweep.run(marked, links, blobs, spared, cutoff);
            return null;
        });
        Report report = new Report(dryRun, manifests, sweep.linksRemoved, sweep.removed.size(), sweep.bytes,
                List.copyOf(sweep.removed), Duration.ofNanos(System.nanoTime() - started));
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
            if (manifest.isEmpty() && deletedMeanwhile(repository, name, revision.digest())) {
                continue; // by another process sharing the store (this one's deletes wait for the image's lock)
            }
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

    private boolean deletedMeanwhile(String repository, ImageName name, Digest digest) throws IOException {
        return stores.metadata().revisions(repository, name).stream().noneMatch(r -> r.digest().equals(digest));
    }

    /** The removals of one collection, digest by digest, and what they removed. */
    private final class Sweep {
        private final BlobUses uses;
        private final BlobUses.Lease lease;
        private final boolean dryRun;
        private final List<String> removed = new ArrayList<>();
        private int linksRemoved;
        private long bytes;

        Sweep(BlobUses uses, BlobUses.Lease lease, boolean dryRun) {
            this.uses = uses;
            this.lease = lease;
            this.dryRun = dryRun;
        }

        /**
         * Links to remove and blobs to remove, gathered by digest: a digest's links and its blob go in one removal, so
         * a push announcing it meanwhile spares both (its image keeps the link it refers to).
         */
        void run(Set<Digest> marked, Map<Link, Instant> unreferencedLinks, List<HostedBlobStore.Stat> blobs,
                 Set<Digest> spared, Instant cutoff) {
            Map<Digest, List<Link>> doomedLinks = new TreeMap<>(Comparator.comparing(Digest::toString));
            Set<Digest> stillLinked = new HashSet<>();
            for (Map.Entry<Link, Instant> entry : unreferencedLinks.entrySet()) {
                Digest d = entry.getKey().digest();
                if (spared.contains(d) || !entry.getValue().isBefore(cutoff)) {
                    stillLinked.add(d);
                } else {
                    doomedLinks.computeIfAbsent(d, k -> new ArrayList<>()).add(entry.getKey());
                }
            }
            Map<Digest, HostedBlobStore.Stat> doomedBlobs = new HashMap<>();
            for (HostedBlobStore.Stat blob : blobs) {
                Digest d = blob.digest();
                if (!marked.contains(d) && !spared.contains(d) && !stillLinked.contains(d)
                        && blob.lastUsed().isBefore(cutoff)) {
                    doomedBlobs.put(d, blob);
                }
            }
            Set<Digest> digests = new TreeSet<>(Comparator.comparing(Digest::toString));
            digests.addAll(doomedLinks.keySet());
            digests.addAll(doomedBlobs.keySet());
            for (Digest d : digests) {
                if (lease != null && !lease.held()) {
                    LOG.warn("garbage collection stopped: the collection lease may have passed to another process");
                    return;
                }
                remove(d, doomedLinks.getOrDefault(d, List.of()), doomedBlobs.get(d));
            }
        }

        private void remove(Digest digest, List<Link> links, HostedBlobStore.Stat blob) {
            if (dryRun) {
                linksRemoved += links.size();
                if (blob != null) {
                    removed.add(digest.toString());
                    bytes += blob.size();
                }
                return;
            }
            try {
                uses.removeUnlessUsed(digest, () -> {
                    boolean unlinked = true;
                    for (Link link : links) {
                        try {
                            stores.metadata().unlinkBlob(link.repository(), link.name(), link.digest());
                            linksRemoved++;
                        } catch (IOException e) {
                            LOG.warnf("cannot remove blob link %s from %s/%s: %s", link.digest(), link.repository(),
                                    link.name(), e.getMessage());
                            unlinked = false;
                        }
                    }
                    if (blob != null && unlinked && stores.blobs().remove(digest)) {
                        removed.add(digest.toString());
                        bytes += blob.size();
                    }
                });
            } catch (IOException e) {
                LOG.warnf("cannot remove %s: %s", digest, e.getMessage());
            }
        }
    }
}
