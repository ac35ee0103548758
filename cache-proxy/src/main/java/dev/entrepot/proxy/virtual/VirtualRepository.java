package dev.entrepot.proxy.virtual;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.entrepot.proxy.config.EntrepotConfig.EqualPriority;
import dev.entrepot.proxy.metrics.ProxyMetrics.Kind;
import dev.entrepot.proxy.metrics.ProxyMetrics.VirtualMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.ImageVersion;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pages;
import dev.entrepot.proxy.repository.Pushable;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.virtual.Members.Found;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One endpoint over several repositories, resolved by priority ({@link Members}). A tag goes to the first member
 * that has it, remembered for {@code resolutionTtl} (forgotten at once when a hosted tag changes anywhere); a digest
 * is looked up locally in every member before any upstream is asked; blobs come from the member that served the
 * image's manifest when known. Names are passed to members as written: each member rewrites them if it must
 * (Docker Hub's {@code library/}). Pushes go to {@code pushTo}, if set.
 */
public final class VirtualRepository implements Repository {
    private static final int MEMORY = 10_000;

    /** A member and its priority (higher is asked first). */
    public record Member(Repository repository, int priority) {
    }

    private record Key(ImageName name, String tag) {
    }

    private record Resolution(Repository member, ManifestContent content, long version) {
    }

    private final String name;
    private final Members members;
    private final Repository pushTo;
    private final TagChanges tagChanges;
    private final VirtualMetrics metrics;
    private final Cache<Key, Resolution> resolutions;
    private final Cache<ImageName, Repository> servedBy;
    private final Map<Key, Future<Found<ManifestContent>>> resolving = new ConcurrentHashMap<>();

    /** Members of equal priority keep the order they are listed in (the {@code ordered} policy asks in it). */
    public static VirtualRepository over(String name, List<Member> members, Repository pushTo, Duration resolutionTtl,
                                         EqualPriority equalPriority, TagChanges tagChanges, VirtualMetrics metrics) {
        TreeMap<Integer, List<Repository>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (Member m : members) {
            byPriority.computeIfAbsent(m.priority(), p -> new ArrayList<>()).add(m.repository());
        }
        return new VirtualRepository(name, new Members(name, new ArrayList<>(byPriority.values()), equalPriority,
                metrics), pushTo, resolutionTtl, tagChanges, metrics);
    }

    VirtualRepository(String name, Members members, Repository pushTo, Duration resolutionTtl, TagChanges tagChanges,
                      VirtualMetrics metrics) {
        this.name = name;
        this.members = members;
        this.pushTo = pushTo;
        this.tagChanges = tagChanges;
        this.metrics = metrics;
        this.resolutions = Caffeine.newBuilder().maximumSize(MEMORY).expireAfterWrite(resolutionTtl).build();
        this.servedBy = Caffeine.newBuilder().maximumSize(MEMORY).expireAfterAccess(Duration.ofHours(1)).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Pushable pushable() {
        if (pushTo == null) {
            throw new OciException(OciErrorCode.UNSUPPORTED, "virtual repository '" + name + "' takes no pushes: "
                    + "it has no pushTo (push to one of its standard members, or set virtual.pushTo)");
        }
        return new VirtualPush(this, pushTo);
    }

    // ---- manifests ------------------------------------------------------------------------------------------

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        if (reference instanceof Reference.ByDigest byDigest) {
            return storedManifest(image, byDigest.digest()).compose(local -> local.isPresent()
                    ? Future.succeededFuture(local.get())
                    : members.first(m -> m.manifest(image, reference), "manifest " + image + "@" + byDigest.digest(),
                    OciErrorCode.MANIFEST_UNKNOWN).map(found -> served(image, found, Kind.MANIFEST)));
        }
        Key key = new Key(image, ((Reference.Tag) reference).name());
        Resolution known = resolutions.getIfPresent(key);
        if (known != null && known.version() == tagChanges.current()) {
            metrics.served(known.member().name(), Kind.MANIFEST);
            return Future.succeededFuture(known.content());
        }
        Promise<Found<ManifestContent>> mine = Promise.promise();
        Future<Found<ManifestContent>> running = resolving.putIfAbsent(key, mine.future());
        if (running == null) {
            long version = tagChanges.current();
            long started = System.nanoTime();
            members.first(m -> m.manifest(image, reference), "manifest " + image + ":" + key.tag(),
                    OciErrorCode.MANIFEST_UNKNOWN).onComplete(ar -> {
                        metrics.resolved(System.nanoTime() - started);
                        if (ar.succeeded()) {
                            resolutions.put(key, new Resolution(ar.result().member(), ar.result().value(), version));
                        }
                        resolving.remove(key, mine.future());
                        mine.handle(ar);
                    });
            running = mine.future();
        }
        return running.map(found -> served(image, found, Kind.MANIFEST));
    }

    /** Counts who served, and remembers it for the image's blobs. */
    private <T> T served(ImageName image, Found<T> found, Kind kind) {
        metrics.served(found.member().name(), kind);
        if (kind == Kind.MANIFEST) {
            servedBy.put(image, found.member());
        }
        return found.value();
    }

    @Override
    public Future<Optional<ManifestContent>> storedManifest(ImageName image, Digest digest) {
        return firstLocal(m -> m.storedManifest(image, digest));
    }

    // ---- blobs ----------------------------------------------------------------------------------------------

    @Override
    public Future<BlobSource> blob(ImageName image, Digest digest) {
        return heldBlob(image, digest).compose(held -> held.isPresent() ? Future.succeededFuture(held.get())
                : viaServingMember(image, m -> m.blob(image, digest), "blob " + image + "@" + digest, Kind.BLOB));
    }

    @Override
    public Future<Optional<BlobSource>> heldBlob(ImageName image, Digest digest) {
        return firstLocal(m -> m.heldBlob(image, digest));
    }

    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        // Held: its size without reading it (an object store is asked for the size, not for the blob).
        return heldBlob(image, digest).compose(held -> sizeOf(held.orElse(null))).compose(size -> size.isPresent()
                ? Future.succeededFuture(size.get())
                : viaServingMember(image, m -> m.blobSize(image, digest), "blob " + image + "@" + digest, Kind.BLOB));
    }

    private static Future<Optional<Long>> sizeOf(BlobSource held) {
        if (held instanceof BlobSource.Stored stored) {
            try (BlobLease lease = stored.lease()) {
                return Future.succeededFuture(Optional.of(lease.size()));
            }
        }
        if (held instanceof BlobSource.Remote remote) {
            return remote.blob().size();
        }
        return Future.succeededFuture(Optional.empty()); // not held (a member's heldBlob never gives a download)
    }

    @Override
    public Future<Optional<BlobLease>> storedBlob(ImageName image, Digest digest) {
        return firstLocal(m -> m.storedBlob(image, digest));
    }

    /** The member that served the image's manifest first; if it lacks the blob, every member by priority. */
    private <T> Future<T> viaServingMember(ImageName image, Function<Repository, Future<T>> ask, String what, Kind kind) {
        Repository known = servedBy.getIfPresent(image);
        Future<T> first = known == null ? Future.failedFuture(new OciException(OciErrorCode.BLOB_UNKNOWN, what))
                : ask.apply(known).onSuccess(v -> metrics.served(known.name(), kind));
        return first.recover(e -> members.first(ask, what, OciErrorCode.BLOB_UNKNOWN)
                .map(found -> served(image, found, kind)));
    }

    /** The first member, by priority, that holds it locally (no upstream asked); failures count as "not here". */
    private <T> Future<Optional<T>> firstLocal(Function<Repository, Future<Optional<T>>> ask) {
        Future<Optional<T>> chain = Future.succeededFuture(Optional.empty());
        for (Repository member : members.all()) {
            chain = chain.compose(found -> found.isPresent() ? Future.succeededFuture(found)
                    : ask.apply(member).recover(e -> Future.succeededFuture(Optional.empty())));
        }
        return chain;
    }

    // ---- listings -------------------------------------------------------------------------------------------

    @Override
    public Future<Page> tags(ImageName image, Integer n, String last) {
        return members.everyone(m -> m.tags(image, null, null), "tags of " + image, OciErrorCode.NAME_UNKNOWN)
                .map(found -> {
                    TreeSet<String> union = new TreeSet<>();
                    found.forEach(f -> {
                        union.addAll(f.value().items());
                        metrics.served(f.member().name(), Kind.TAGS);
                    });
                    return Pages.page(List.copyOf(union), n, last);
                });
    }

    @Override
    public Future<ManifestContent> referrers(ImageName image, Digest subject, String artifactType) {
        return members.everyone(m -> m.referrers(image, subject, artifactType), "referrers of " + image + "@" + subject,
                OciErrorCode.MANIFEST_UNKNOWN).map(found -> {
                    Map<String, JsonNode> byDigest = new LinkedHashMap<>();
                    for (Found<ManifestContent> f : found) {
                        ReferrersIndex.descriptors(f.value().bytes())
                                .forEach(d -> byDigest.putIfAbsent(d.path("digest").asText(), d));
                    }
                    return ReferrersIndex.of(new ArrayList<>(byDigest.values()), artifactType);
                });
    }

    /** Every member's versions (each names its member as repository). */
    @Override
    public Future<List<ImageVersion>> versions(ImageName image) {
        List<Future<List<ImageVersion>>> parts = members.all().stream()
                .map(m -> m.versions(image).recover(e -> Future.succeededFuture(List.of()))).toList();
        return Future.join(parts).map(done -> {
            List<ImageVersion> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.result()));
            return all;
        });
    }

    @Override
    public Future<List<String>> catalog() {
        List<Future<List<String>>> parts = members.all().stream()
                .map(m -> m.catalog().recover(e -> Future.succeededFuture(List.of()))).toList();
        return Future.join(parts).map(done -> {
            TreeSet<String> union = new TreeSet<>();
            parts.forEach(p -> union.addAll(p.result()));
            return List.copyOf(union);
        });
    }
}
