package com.example.fleet.calls;

import java.time.Duration;

import io.vertx.core.http.HttpMethod;

/**
 * One call to some instance of the fleet.
 *
 * @param idempotent whether sending it twice is harmless; only then is it retried
 * @param extraTryTime added to the per-try timeout, for calls that legitimately take longer (work asked for)
 */
public record FleetRequest(HttpMethod method, String uri, boolean idempotent, Duration extraTryTime) {

    public static FleetRequest get(String uri) {
        return new FleetRequest(HttpMethod.GET, uri, true, Duration.ZERO);
    }

    public FleetRequest withExtraTryTime(Duration extra) {
        return new FleetRequest(method, uri, idempotent, extra);
    }
}
