package dev.entrepot.proxy.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes written the Kubernetes way: {@code 50Gi}, {@code 500Mi}, {@code 10G}, {@code 1048576}. The one
 * grammar of Entrepot: the operator's CRDs validate with {@link #GRAMMAR} too.
 */
public record ByteSize(long bytes, String text) {
    /** The whole grammar as a regular expression (the CRDs' pattern). */
    public static final String GRAMMAR = "^[0-9]+(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$";
    private static final Pattern FORMAT = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?");

    public static ByteSize parse(String text) {
        Matcher m = FORMAT.matcher(text);
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
            default -> switch (unit) {
                case "K" -> 1_000L;
                case "M" -> 1_000_000L;
                case "G" -> 1_000_000_000L;
                case "T" -> 1_000_000_000_000L;
                default -> 1_000_000_000_000_000L;
            };
        };
        return new ByteSize(Math.multiplyExact(number, multiplier), text);
    }

    @Override
    public String toString() {
        return text;
    }
}
