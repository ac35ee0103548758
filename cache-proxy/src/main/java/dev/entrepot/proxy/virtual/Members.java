package dev.entrepot.proxy.virtual;

import dev.entrepot.proxy.config.EntrepotConfig.EqualPriority;
import dev.entrepot.proxy.metrics.ProxyMetrics.VirtualMetrics;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.Repository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The members of a virtual repository in tiers of equal priority, highest first, and the one rule for asking them:
 * a member that does not have something (404) sends the question to the next one; a member that cannot answer
 * (unreachable, timeout, 5xx, 429) is skipped and counted, never taken for "does not have it". Within a tier,
 * {@code fastest} asks every member at once and takes the first that has it; {@code ordered} asks in the listed order.
 */
final class Members {
    private static final Logger LOG = Logger.getLogger(Members.class);

    /** What a member answered. */
    record Found<T>(Repository member, T value) {
    }

    private record TierOutcome<T>(Found<T> found, Set<String> unavailable) {
    }

    private final String virtual;
    private final List<List<Repository>> tiers;
    private final EqualPriority policy;
    private final VirtualMetrics metrics;

    Members(String virtual, List<List<Repository>> tiers, EqualPriority policy, VirtualMetrics metrics) {
        this.virtual = virtual;
        this.tiers = List.copyOf(tiers.stream().map(List::copyOf).toList());
        this.policy = policy;
        this.metrics = metrics;
    }

    /** Every member, highest priority first (listed order within a tier). */
    List<Repository> all() {
        List<Repository> all = new ArrayList<>();
        tiers.forEach(all::addAll);
        return all;
    }

    /**
     * The first member, by priority, whose {@code ask} succeeds. Fails with {@code unknown} (404) when none has it,
     * or UNAVAILABLE (503) when none has it and at least one could not answer.
     */
    <T> Future<Found<T>> first(Function<Repository, Future<T>> ask, String what, OciErrorCode unknown) {
        return fromTier(0, ask, new LinkedHashSet<>(), what, unknown);
    }

    private <T> Future<Found<T>> fromTier(int index, Function<Repository, Future<T>> ask, Set<String> unavailable,
                                          String what, OciErrorCode unknown) {
        if (index == tiers.size()) {
            return Future.failedFuture(noneHasIt(what, unknown, unavailable));
        }
        Future<TierOutcome<T>> outcome = policy == EqualPriority.FASTEST
                ? fastest(tiers.get(index), ask) : ordered(tiers.get(index), 0, ask, new LinkedHashSet<>());
        return outcome.compose(o -> {
            if (o.found() != null) {
                return Future.succeededFuture(o.found());
            }
            unavailable.addAll(o.unavailable());
            return fromTier(index + 1, ask, unavailable, what, unknown);
        });
    }

    private <T> Future<TierOutcome<T>> fastest(List<Repository> tier, Function<Repository, Future<T>> ask) {
        Promise<TierOutcome<T>> result = Promise.promise();
        AtomicInteger pending = new AtomicInteger(tier.size());
        Set<String> unavailable = ConcurrentHashMap.newKeySet();
        for (Repository member : tier) {
            call(ask, member).onComplete(ar -> {
                if (ar.succeeded()) {
                    result.tryComplete(new TierOutcome<>(new Found<>(member, ar.result()), Set.of()));
                    return;
                }
                if (cannotAnswer(member, ar.cause())) {
                    unavailable.add(member.name());
                }
                if (pending.decrementAndGet() == 0) {
                    result.tryComplete(new TierOutcome<>(null, Set.copyOf(unavailable)));
                }
            });
        }
        return result.future();
    }

    private <T> Future<TierOutcome<T>> ordered(List<Repository> tier, int index, Function<Repository, Future<T>> ask,
                                               Set<String> unavailable) {
        if (index == tier.size()) {
            return Future.succeededFuture(new TierOutcome<>(null, unavailable));
        }
        Repository member = tier.get(index);
        return call(ask, member).transform(ar -> {
            if (ar.succeeded()) {
                return Future.succeededFuture(new TierOutcome<>(new Found<>(member, ar.result()), Set.of()));
            }
            if (cannotAnswer(member, ar.cause())) {
                unavailable.add(member.name());
            }
            return ordered(tier, index + 1, ask, unavailable);
        });
    }

    /** Asks every member at once; the successful answers, in priority order. Fails only when none answered. */
    <T> Future<List<Found<T>>> everyone(Function<Repository, Future<T>> ask, String what, OciErrorCode unknown) {
        List<Repository> all = all();
        List<Future<T>> answers = all.stream().map(m -> call(ask, m)).toList();
        return Future.join(answers).transform(ignored -> {
            List<Found<T>> found = new ArrayList<>();
            Set<String> unavailable = new LinkedHashSet<>();
            for (int i = 0; i < all.size(); i++) {
                Future<T> answer = answers.get(i);
                if (answer.succeeded()) {
                    found.add(new Found<>(all.get(i), answer.result()));
                } else if (cannotAnswer(all.get(i), answer.cause())) {
                    unavailable.add(all.get(i).name());
                }
            }
            return found.isEmpty() ? Future.failedFuture(noneHasIt(what, unknown, unavailable))
                    : Future.succeededFuture(found);
        });
    }

    private static <T> Future<T> call(Function<Repository, Future<T>> ask, Repository member) {
        try {
            return ask.apply(member);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** False for "I do not have it" (any 404); true, counted as a failover, for everything else. */
    private boolean cannotAnswer(Repository member, Throwable failure) {
        if (failure instanceof OciException oci && oci.status() == 404) {
            return false;
        }
        if (!(failure instanceof OciException)) {
            LOG.warnf(failure, "member %s of virtual repository %s failed", member.name(), virtual);
        }
        metrics.failover(member.name());
        return true;
    }

    private OciException noneHasIt(String what, OciErrorCode unknown, Collection<String> unavailable) {
        if (unavailable.isEmpty()) {
            return new OciException(unknown, what + " is in no member of virtual repository '" + virtual + "'");
        }
        return new OciException(OciErrorCode.UNAVAILABLE, what + " was not found in the members of virtual repository '"
                + virtual + "' that answered, and " + String.join(", ", unavailable) + " could not be asked");
    }
}
