package com.example.fleet.balancing.rules;

import java.time.Duration;

/**
 * When failing calls take an instance out of the rotation, after Envoy's outlier detection: {@code
 * consecutiveFailures} failed calls in a row eject it for {@code ejectionBase} times the number of its ejections,
 * at most {@code maxEjection}, unless {@code maxEjectedPercent} of the candidates (at least one) already are. With
 * fewer than {@code panicThreshold} percent of the candidates left, ejections are ignored.
 */
public record OutlierDetection(int consecutiveFailures, Duration ejectionBase, Duration maxEjection, int maxEjectedPercent,
        int panicThreshold) {

    public static OutlierDetection from(PeakEwmaAttributes config) {
        Duration base = Attributes.positiveDuration("ejection-base", config.getEjectionBase());
        Duration max = Attributes.positiveDuration("max-ejection", config.getMaxEjection());
        if (max.compareTo(base) < 0) {
            throw Attributes.invalid("max-ejection", "'" + config.getMaxEjection()
                    + "' is shorter than ejection-base ('" + config.getEjectionBase() + "')");
        }
        return new OutlierDetection(Attributes.atLeast(1, "consecutive-failures", config.getConsecutiveFailures()),
                base, max, Attributes.percent("max-ejected-percent", config.getMaxEjectedPercent()),
                Attributes.percent("panic-threshold", config.getPanicThreshold()));
    }

    /**
     * Whether {@code ejected} of {@code candidates} leave too few for ejections to hold (panic): the load would
     * crush those left, and the ejections may come from an overload of the whole fleet, or from a fault of this
     * client's own network. With none left, always: a chance of success beats certain failure.
     */
    public boolean panics(int candidates, int ejected) {
        int left = candidates - ejected;
        return ejected > 0 && (left == 0 || (long) left * 100 < (long) panicThreshold * candidates);
    }

    /** How many of {@code candidates} may be ejected for failures at once: always one, even out of a few. */
    public int maxEjected(int candidates) {
        return Math.max(1, candidates * maxEjectedPercent / 100);
    }

    /**
     * The highest count an instance's ejections reach: the first one that lasts {@code maxEjection}. Counting
     * further would only make an instance that recovered wait longer before its ejections shorten again.
     */
    public int maxCount() {
        long base = ejectionBase.toNanos();
        return (int) Math.min(Integer.MAX_VALUE, (maxEjection.toNanos() + base - 1) / base);
    }

    /** How long the {@code count}-th ejection lasts, in nanoseconds. */
    public long ejectionNanos(int count) {
        return Math.min(ejectionBase.toNanos() * count, maxEjection.toNanos());
    }
}
