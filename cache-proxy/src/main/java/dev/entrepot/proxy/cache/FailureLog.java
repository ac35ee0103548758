package dev.entrepot.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.upstream.UpstreamException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Logs an upstream's failure to deliver an image — once per image and cause per minute, so a crash-looping pod or a
 * down Docker Hub gives a line a person can act on instead of a flood. Client mistakes (the upstream does not have it)
 * are not logged here.
 */
final class FailureLog {
    private static final Logger LOG = Logger.getLogger(FailureLog.class);

    private final String repository;
    private final Cache<String, Boolean> recent = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();

    FailureLog(String repository) {
        this.repository = repository;
    }

    /** @param stale true when a cached copy was served in its place */
    void upstreamFailed(ImageName image, String reference, Throwable failure, boolean stale) {
        if (!(failure instanceof UpstreamException up) || !up.isUpstreamFailure()) {
            return;
        }
        String cause = up.status() == 0 ? failure.getMessage() : "HTTP " + up.status();
        if (recent.asMap().putIfAbsent(image + "|" + cause + "|" + stale, Boolean.TRUE) != null) {
            return;
        }
        if (stale) {
            LOG.warnf("repository %s: serving the cached %s:%s, the upstream could not be asked: %s", repository, image,
                    reference, failure.getMessage());
        } else {
            LOG.warnf("repository %s: %s:%s is not cached and the upstream failed: %s", repository, image, reference,
                    failure.getMessage());
        }
    }
}
