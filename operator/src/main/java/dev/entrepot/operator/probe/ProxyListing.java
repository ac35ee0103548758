package dev.entrepot.operator.probe;

import java.util.Map;

/** Asks a namespace's proxy how much each repository holds (GET /api/v1/repositories): counts, never the listing. */
public interface ProxyListing {

    Listing list(ProxyEndpoint endpoint);

    /** @param bytes the sizes of a repository's versions added up (shared layers counted in each) */
    record Counts(long images, long versions, long tags, long bytes) {
    }

    /** @param failure why there are no counts; null when the proxy answered */
    record Listing(Map<String, Counts> repositories, String failure) {

        public static Listing answered(Map<String, Counts> repositories) {
            return new Listing(Map.copyOf(repositories), null);
        }

        public static Listing failed(String why) {
            return new Listing(Map.of(), why);
        }
    }
}
