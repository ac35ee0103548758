package dev.entrepot.e2e.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Figures of several rounds: median, and the range from the lowest to the highest. */
final class Spread {
    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    double median() {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** {@code median (low–high)} with {@code format} for each figure, e.g. {@code "%.0f"}. */
    String show(String format) {
        if (values.isEmpty()) {
            return "–";
        }
        String median = String.format(Locale.ROOT, format, median());
        if (values.size() == 1) {
            return median;
        }
        double low = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double high = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return median + " (" + String.format(Locale.ROOT, format, low) + "–" + String.format(Locale.ROOT, format, high)
                + ")";
    }
}
