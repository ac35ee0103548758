package dev.entrepot.proxy.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand, so access times and TTLs are exact. */
public final class MutableClock extends Clock {
    private volatile long millis;

    public MutableClock(long millis) {
        this.millis = millis;
    }

    public void set(long millis) {
        this.millis = millis;
    }

    public void advance(Duration by) {
        this.millis += by.toMillis();
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
