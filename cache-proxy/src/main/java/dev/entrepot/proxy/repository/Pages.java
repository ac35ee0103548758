package dev.entrepot.proxy.repository;

import java.util.List;

/** The spec's {@code n}/{@code last} pagination over a sorted list. */
public final class Pages {
    private Pages() {
    }

    public static Page page(List<String> sorted, Integer n, String last) {
        List<String> after = last == null ? sorted : sorted.stream().filter(t -> t.compareTo(last) > 0).toList();
        if (n == null || after.size() <= n) {
            return new Page(after, false);
        }
        return new Page(after.subList(0, n), true);
    }
}
