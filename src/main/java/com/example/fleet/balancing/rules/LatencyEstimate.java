package com.example.fleet.balancing.rules;

/**
 * A peak EWMA of latency as of {@code stampNanos}: a sample above the estimate replaces it at once (react to
 * trouble immediately), a lower one is blended in with a weight that grows with the time since the last sample
 * (recover gradually). Immutable, so that it can be swapped atomically.
 */
public record LatencyEstimate(double nanos, long stampNanos) {

    public LatencyEstimate withSample(double rttNanos, long now, double decayNanos) {
        if (rttNanos > nanos) {
            return new LatencyEstimate(rttNanos, now);
        }
        double weightOfPast = weightOfPast(now, decayNanos);
        return new LatencyEstimate(nanos * weightOfPast + rttNanos * (1 - weightOfPast), now);
    }

    /**
     * The estimate to balance on at {@code now}. Without samples it relaxes toward the neutral estimate, the
     * same way a sample of that value would pull it: a penalised instance is tried again after a while, and an
     * instance idle for long is treated like a new one rather than as free (which would draw a burst to it).
     */
    public double at(long now, double decayNanos, double neutralNanos) {
        double weightOfPast = weightOfPast(now, decayNanos);
        return nanos * weightOfPast + neutralNanos * (1 - weightOfPast);
    }

    private double weightOfPast(long now, double decayNanos) {
        // samples recorded by other threads may carry a slightly older "now"
        long age = Math.max(0, now - stampNanos);
        return Math.exp(-age / decayNanos);
    }
}
