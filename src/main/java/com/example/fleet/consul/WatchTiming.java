package com.example.fleet.consul;

import java.time.Duration;

/**
 * How a blocking-query watch paces itself: the wait of each query, the least time between two queries (Consul
 * may answer at once), and the longest delay between retries after errors.
 */
public record WatchTiming(Duration queryWait, Duration minInterval, Duration retryMaxDelay) {

    /** Consul's longest wait; it cuts a longer one silently. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    /** The first retry after an error comes this soon (or at the longest delay, if that is shorter). */
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    /** Beyond the wait and Consul's jitter: time for the network and a busy agent. */
    private static final Duration NETWORK_MARGIN = Duration.ofSeconds(5);

    public WatchTiming {
        for (Duration positive : new Duration[] { queryWait, minInterval, retryMaxDelay }) {
            if (positive.isNegative() || positive.isZero()) {
                throw new IllegalArgumentException("watch durations must be positive, got " + positive);
            }
        }
        if (queryWait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("wait " + queryWait + " exceeds Consul's maximum wait of 10m");
        }
    }

    /** Consul adds up to wait/16 of jitter to a wait, so reads must time out later than that. */
    public Duration readTimeout() {
        return queryWait.plus(queryWait.dividedBy(16)).plus(NETWORK_MARGIN);
    }

    Duration firstRetry() {
        return FIRST_RETRY.compareTo(retryMaxDelay) < 0 ? FIRST_RETRY : retryMaxDelay;
    }

    /** The wait as a blocking query's {@code wait} parameter. */
    String waitParameter() {
        return queryWait.toMillis() + "ms";
    }
}
