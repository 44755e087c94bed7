package com.example.fleet.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: attempt n waits between half and all of min(max, initial * 2^(n-1)),
 * so instances that lost Consul together do not retry in lockstep.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** Delay before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        long capped = Math.min(max.toMillis(), initial.toMillis() << doublings);
        long half = Math.max(1, capped / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
    }
}
