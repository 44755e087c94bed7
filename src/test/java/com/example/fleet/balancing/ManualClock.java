package com.example.fleet.balancing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when a test says so; thread-safe. */
final class ManualClock implements LongSupplier {

    // nanoTime has an arbitrary origin, possibly negative
    private final AtomicLong nanos = new AtomicLong(-7_000_000_000L);

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    void set(long value) {
        nanos.set(value);
    }
}
