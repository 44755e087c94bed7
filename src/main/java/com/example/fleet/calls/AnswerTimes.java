package com.example.fleet.calls;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * How long the recent tries of one target service took to answer, for the hedge delay: the last {@value #KEPT}
 * answer times, and a percentile of them worked out again every {@value #RECOMPUTE_EVERY} answers, so that a call
 * reads it in O(1). Shared by every call of the client.
 */
final class AnswerTimes {

    static final int KEPT = 256;
    /** Fewer answers than this say too little for a percentile: no backup tries until then. */
    static final int ENOUGH = 20;
    private static final int RECOMPUTE_EVERY = 32;

    private final int percentile;
    private final long[] nanos = new long[KEPT];
    private long recorded;
    private long cached = -1;

    /** @param percentile 50 to 99 */
    AnswerTimes(int percentile) {
        this.percentile = percentile;
    }

    synchronized void record(long answerNanos) {
        nanos[(int) (recorded % KEPT)] = answerNanos;
        recorded++;
        if (recorded >= ENOUGH && (cached < 0 || recorded % RECOMPUTE_EVERY == 0)) {
            int count = (int) Math.min(recorded, KEPT);
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            cached = sorted[Math.max(0, (int) Math.ceil(percentile / 100.0 * count) - 1)];
        }
    }

    /** The percentile of the recent answer times, once there are enough of them. */
    synchronized OptionalLong percentileNanos() {
        return cached < 0 ? OptionalLong.empty() : OptionalLong.of(cached);
    }
}
