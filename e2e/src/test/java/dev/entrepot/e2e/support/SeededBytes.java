package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;

/**
 * Incompressible bytes that are a pure function of (seed, position), as a stream over any range: a big blob is sent
 * without ever being held, and after a crash the upload resumes from any offset with exactly the same bytes.
 * Optionally throttled, so a test can act while a transfer is in flight.
 */
public final class SeededBytes extends InputStream {
    private final long seed;
    private final long end;
    private final long bytesPerSecond;
    private final long startedNanos = System.nanoTime();
    private final long from;
    private long position;

    /** Bytes {@code [from, to)} of the sequence of {@code seed}; {@code bytesPerSecond} 0 for full speed. */
    public SeededBytes(long seed, long from, long to, long bytesPerSecond) {
        this.seed = seed;
        this.from = from;
        this.position = from;
        this.end = to;
        this.bytesPerSecond = bytesPerSecond;
    }

    public static byte[] bytes(long seed, long from, long to) {
        byte[] out = new byte[Math.toIntExact(to - from)];
        try (SeededBytes in = new SeededBytes(seed, from, to, 0)) {
            int done = 0;
            while (done < out.length) {
                done += in.read(out, done, out.length - done);
            }
        }
        return out;
    }

    /** sha256 of the first {@code length} bytes, in the OCI form. */
    public static String sha256(long seed, long length) {
        MessageDigest digest = Digests.newSha256();
        byte[] buffer = new byte[1 << 16];
        try (SeededBytes in = new SeededBytes(seed, 0, length, 0)) {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return Digests.hex(digest);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (position >= end) {
            return -1;
        }
        int n = (int) Math.min(length, end - position);
        throttle(n);
        long p = position;
        long word = mix(seed + (p >>> 3));
        for (int i = 0; i < n; i++, p++) {
            if ((p & 7) == 0) {
                word = mix(seed + (p >>> 3));
            }
            buffer[offset + i] = (byte) (word >>> ((p & 7) << 3));
        }
        position += n;
        return n;
    }

    @Override
    public void close() {
        // nothing held
    }

    private void throttle(int next) {
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = (long) ((position - from + next) * 1e9 / bytesPerSecond);
        long wait = dueNanos - (System.nanoTime() - startedNanos);
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted"));
            }
        }
    }

    /** SplitMix64's finaliser: a good 64-bit mix of a counter. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
