package com.example.fleet.balancing.ladder;

import java.util.Arrays;

/**
 * A level's health as routing sees it: a fall counts at once, a rise only as far as the health held for the whole
 * hold-down, so that a level whose instances flap does not pull traffic back and forth, and a level that comes back
 * one instance at a time, or with a new instance failing a few tries while it warms up, returns once it has been
 * healthy for a hold-down rather than after one hold-down per step. The steady case, health unchanged, reads one
 * volatile field; a rise keeps the least health of each tenth of the hold-down, under a lock.
 */
final class HeldHealth {

    private static final int BUCKETS = 10;

    private volatile double held = 1;
    private volatile boolean rising;
    // guarded by this while rising: the least raw health seen in each tenth of the hold-down, by bucket number
    private long risingSince;
    private final double[] least = new double[BUCKETS];
    private final long[] bucketOf = new long[BUCKETS];

    /** The health to route by, given the level's {@code raw} healthy share now. */
    double at(double raw, long now, long holdDownNanos) {
        double current = held;
        if (raw == current && !rising) {
            return raw;
        }
        synchronized (this) {
            if (raw <= held) {
                held = raw;
                rising = false;
                return raw;
            }
            long bucket = Math.floorDiv(now, Math.max(1, holdDownNanos / BUCKETS));
            if (!rising) {
                rising = true;
                risingSince = now;
                Arrays.fill(bucketOf, Long.MIN_VALUE);
            }
            int slot = (int) Math.floorMod(bucket, BUCKETS);
            least[slot] = bucketOf[slot] == bucket ? Math.min(least[slot], raw) : raw;
            bucketOf[slot] = bucket;
            if (now - risingSince < holdDownNanos) {
                return held;
            }
            double floor = raw;
            for (int i = 0; i < BUCKETS; i++) {
                if (bucketOf[i] > bucket - BUCKETS) {
                    floor = Math.min(floor, least[i]);
                }
            }
            if (floor > held) {
                held = floor;
                rising = floor < raw;
            }
            return held;
        }
    }

    /** The level has no instance left: when some come back, they have to prove themselves for the hold-down. */
    synchronized void emptied() {
        held = 0;
        rising = false;
    }

    /** The health routing went by last. */
    double held() {
        return held;
    }
}
