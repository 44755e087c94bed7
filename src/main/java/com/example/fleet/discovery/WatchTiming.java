package com.example.fleet.discovery;

import java.time.Duration;

import com.example.fleet.consul.Backoff;

/**
 * How a watch paces itself: the blocking query's wait, the least time between two queries, and the backoff
 * after errors. Consul adds up to wait/16 of jitter to a wait, so reads must time out later than that.
 */
record WatchTiming(Duration queryWait, Duration minInterval, Backoff backoff) {

    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    WatchTiming {
        if (queryWait.isNegative() || queryWait.isZero() || queryWait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("wait must be between 1ms and 10m (Consul's maximum), got " + queryWait);
        }
    }

    /** Longer than any blocking answer can take, and then some for the network. */
    Duration readTimeout() {
        return queryWait.plus(queryWait.dividedBy(16)).plusSeconds(5);
    }
}
