package dev.entrepot.proxy.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as in Kubernetes and Go: {@code 30s}, {@code 5m}, {@code 720h}, {@code 1h30m}, {@code 500ms},
 * {@code 0}. The one grammar of Entrepot: the operator's CRDs validate with {@link #GRAMMAR} too.
 */
public final class GoDuration {
    /** The whole grammar as a regular expression (the CRDs' pattern). */
    public static final String GRAMMAR = "^(0|([0-9]+(ms|s|m|h))+)$";
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text;
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("invalid duration '" + text + "' (expected e.g. 30s, 5m, 1h30m, 720h)");
        }
        return total;
    }

    /** The shortest Go-style spelling, for logs and round trips. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long hours = d.toHours();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0) {
            sb.append(d.toMillisPart()).append("ms");
        }
        return sb.toString();
    }
}
