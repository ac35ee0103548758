package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Artifact Registry-style cleanup of one hosted repository. The versions of an image are its top-level manifests
 * (not those an index lists, not referrers such as signatures). An untagged version older than
 * {@code deleteUntaggedOlderThan} is deleted unless it is among the {@code keepRecent} newest versions; with it go the
 * manifests only it listed and the untagged referrers of what is deleted. Tagged content is never touched. A dry run
 * only reports. The bytes are reclaimed by the next garbage collection.
 */
final class CleanupPolicy {
    private static final Logger LOG = Logger.getLogger(CleanupPolicy.class);

    private record Node(Revision revision, ParsedManifest parsed, boolean tagged) {
    }

    private final String repository;
    private final HostedManifests manifests;
    private final HostedStores stores;

    CleanupPolicy(String repository, HostedManifests manifests, HostedStores stores) {
        this.repository = repository;
        this.manifests = manifests;
        this.stores = stores;
    }

    /** Blocking. Returns {@code name@digest} of what was (or, in a dry run, would be) deleted. */
    List<String> run(boolean dryRun, int keepRecent, Duration untaggedOlderThan) throws Exception {
        List<String> deleted = new ArrayList<>();
        Instant cutoff = stores.clock().instant().minus(untaggedOlderThan);
        for (String image : stores.metadata().names(repository)) {
            ImageName name = new ImageName(image);
            stores.locks().locked(repository, name, () -> {
                for (Digest d : plan(name, keepRecent, cutoff)) {
                    if (!dryRun) {
                        manifests.deleteManifest(name, d); // a cleanup is no image change anyone pushed: no event
                    }
                    deleted.add(image + "@" + d);
                }
                return null;
            });
        }
        if (!deleted.isEmpty()) {
            LOG.infof("cleanup of %s%s: %s %s", repository, dryRun ? " (dry run)" : "",
                    dryRun ? "would delete" : "deleted", deleted);
        }
        return deleted;
    }

    /** What to delete in this image, parents before the manifests they list. */
    private List<Digest> plan(ImageName name, int keepRecent, Instant cutoff) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        Map<Digest, Node> nodes = new HashMap<>();
        for (Revision r : metadata.revisions(repository, name)) {
            ManifestContent m = metadata.manifest(repository, name, r.digest()).orElse(null);
            if (m != null) {
                nodes.put(r.digest(), new Node(r, ManifestCheck.stored(m.bytes(), r.mediaType()),
                        !manifests.tagsOf(name, r.digest()).isEmpty()));
            }
        }
        Map<Digest, Integer> listedBy = new HashMap<>();
        nodes.values().forEach(n -> n.parsed().children().forEach(c -> listedBy.merge(c.digest(), 1, Integer::sum)));
        List<Node> versions = nodes.values().stream()
                .filter(n -> !listedBy.containsKey(n.revision().digest()) && n.parsed().subject() == null)
                .sorted(Comparator.comparing((Node n) -> n.revision().storedAt()).reversed())
                .toList();
        Set<Digest> doomed = new LinkedHashSet<>();
        for (int i = keepRecent; i < versions.size(); i++) {
            Node v = versions.get(i);
            if (!v.tagged() && v.revision().storedAt().isBefore(cutoff)) {
                doomed.add(v.revision().digest());
            }
        }
        // Manifests only doomed indexes listed follow them; then referrers of anything doomed.
        Deque<Digest> work = new ArrayDeque<>(doomed);
        while (!work.isEmpty()) {
            Node parent = nodes.get(work.pop());
            for (var child : parent.parsed().children()) {
                Node c = nodes.get(child.digest());
                if (c != null && !c.tagged() && listedBy.merge(child.digest(), -1, Integer::sum) == 0
                        && doomed.add(child.digest())) {
                    work.push(child.digest());
                }
            }
        }
        Set<Digest> subjects = new HashSet<>(doomed);
        for (Node n : nodes.values()) {
            if (n.parsed().subject() != null && subjects.contains(n.parsed().subject().digest()) && !n.tagged()
                    && !listedBy.containsKey(n.revision().digest())) {
                doomed.add(n.revision().digest());
            }
        }
        return List.copyOf(doomed);
    }
}
