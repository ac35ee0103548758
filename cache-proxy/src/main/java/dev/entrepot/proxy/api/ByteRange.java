package dev.entrepot.proxy.api;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a blob (RFC 9110 §14): {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}. A header we
 * do not understand, or several ranges, is ignored and the whole blob is served, as the RFC allows; a range
 * that starts past the end or ends before it starts is a 416 carrying {@code Content-Range: bytes *}{@code /size}.
 */
public record ByteRange(long start, long length) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Null when the whole blob should be sent. */
    public static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(size);
                }
                long length = Math.min(suffix, size);
                return new ByteRange(size - length, length);
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
            if (end < start) {
                // RFC 9110 lets a server ignore it; the OCI conformance suite expects 416, which also tells the
                // client its request was wrong instead of silently sending the whole blob.
                throw unsatisfiable(size);
            }
            if (start >= size) {
                throw unsatisfiable(size);
            }
            return new ByteRange(start, Math.min(end, size - 1) - start + 1);
        } catch (NumberFormatException e) {
            return null; // more digits than a long: not a range we can honour
        }
    }

    public long end() {
        return start + length - 1;
    }

    public String contentRange(long size) {
        return "bytes " + start + "-" + end() + "/" + size;
    }

    private static OciException unsatisfiable(long size) {
        return new OciException(OciErrorCode.RANGE_NOT_SATISFIABLE, 416,
                "range not satisfiable for a blob of " + size + " bytes", Map.of("Content-Range", "bytes */" + size));
    }
}
