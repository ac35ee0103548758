package dev.entrepot.e2e.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The settings of {@code e2e/bench/s3.sh}, from environment variables (see the script's header for each).
 *
 * @param rounds           rounds of the warm measurements; each round runs every case once, the stores in turn
 * @param seconds          wrk duration of one case of the small blobs
 * @param bigSeconds       wrk duration of one case of the big blob (a response of it takes seconds)
 * @param threads          wrk threads
 * @param bigMib           size of the big blob(s)
 * @param smallMib         size of each small blob
 * @param smallCount       how many small blobs (wrk walks them all)
 * @param connections      wrk connections of each case
 * @param missBigConnections connections of the big-blob case of the local-tier miss (it needs twice as many big
 *                         blobs in the bucket, so every request in flight asks for another)
 * @param missTier         {@code storage.s3.localCacheSize} of the proxy that misses
 * @param ttfbGets         single curl GETs of the big blob per store and round
 * @param replicas         proxies sharing the bucket in the cold pull
 * @param clients          concurrent cold clients of each cold run
 * @param coldRounds       how many times each cold run is repeated (a fresh image each time)
 * @param layerMib         sizes of the layers of the cold image
 * @param clientParallel   blobs one cold client downloads at once (docker: 3)
 * @param upstreamMibps    bandwidth of the upstream per blob GET, 0 for unthrottled
 * @param coldBaseline     also pull through replicas with their own filesystem stores (no sharing)
 * @param sections         {@code warm}, {@code cold}
 * @param proxyJvm         extra JVM options of every proxy
 */
record Knobs(int rounds, int seconds, int bigSeconds, int threads, int bigMib, int smallMib, int smallCount,
             List<Integer> connections,
             List<Integer> missBigConnections, String missTier, int ttfbGets, int replicas, List<Integer> clients,
             int coldRounds, List<Integer> layerMib, int clientParallel, int upstreamMibps, boolean coldBaseline,
             List<String> sections, List<String> proxyJvm) {

    static Knobs fromEnv() {
        return new Knobs(
                number("S3BENCH_ROUNDS", 3),
                number("S3BENCH_DURATION", 3),
                number("S3BENCH_BIG_DURATION", 6),
                number("S3BENCH_WRK_THREADS", 2),
                number("S3BENCH_BIG_MIB", 256),
                number("S3BENCH_SMALL_MIB", 1),
                number("S3BENCH_SMALL_COUNT", 256),
                numbers("S3BENCH_CONNECTIONS", "4 32"),
                numbers("S3BENCH_MISS_BIG_CONNECTIONS", "4"),
                text("S3BENCH_MISS_TIER", "1"),
                number("S3BENCH_TTFB_GETS", 1),
                number("S3BENCH_REPLICAS", 3),
                numbers("S3BENCH_CLIENTS", "20 60"),
                number("S3BENCH_COLD_ROUNDS", 1),
                numbers("S3BENCH_LAYER_MIB", "24 16 8 1"),
                number("S3BENCH_CLIENT_PARALLEL", 3),
                number("S3BENCH_UPSTREAM_MIBPS", 0),
                number("S3BENCH_COLD_BASELINE", 1) != 0,
                words(text("S3BENCH_SECTIONS", "warm cold")),
                words(text("S3BENCH_PROXY_JVM", "")));
    }

    boolean wants(String section) {
        return sections.contains(section);
    }

    /** The big blobs the bucket needs: twice the most connections of the miss case, so requests never share one. */
    int bigCount() {
        return Math.max(2, 2 * missBigConnections.stream().mapToInt(Integer::intValue).max().orElse(1));
    }

    private static String text(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int number(String name, int fallback) {
        try {
            return Integer.parseInt(text(name, Integer.toString(fallback)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + System.getenv(name));
        }
    }

    private static List<Integer> numbers(String name, String fallback) {
        try {
            return words(text(name, fallback)).stream().map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be whole numbers separated by spaces: "
                    + System.getenv(name));
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
