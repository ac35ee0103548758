package dev.entrepot.proxy.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes written the Kubernetes way: {@code 50Gi}, {@code 500Mi}, {@code 10G}, {@code 1048576}. */
public record ByteSize(long bytes, String text) {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?B?");

    public static ByteSize parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "' (expected e.g. 50Gi, 500Mi, 10G)");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        long multiplier = switch (unit) {
            case "" -> 1L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "Pi" -> 1L << 50;
            default -> switch (unit.toUpperCase(Locale.ROOT)) {
                case "K" -> 1_000L;
                case "M" -> 1_000_000L;
                case "G" -> 1_000_000_000L;
                case "T" -> 1_000_000_000_000L;
                default -> 1_000_000_000_000_000L;
            };
        };
        return new ByteSize(Math.multiplyExact(number, multiplier), text.trim());
    }

    @Override
    public String toString() {
        return text;
    }
}
