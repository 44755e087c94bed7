package com.example.fleet.scaling;

import java.util.Comparator;

import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.LoadNote;

import io.vertx.ext.consul.CheckStatus;

/**
 * One instance as the leader sees it in Consul, with the load its heartbeat publishes.
 *
 * @param status the aggregated status of its checks, as {@link HealthEntry} reads it
 * @param lastRequestMillis epoch milliseconds of its last request, 0 when it never had one
 */
public record FleetMember(String id, String address, int port, CheckStatus status, int inFlight,
        long lastRequestMillis, double ratePerSecond) {

    /** Reads an entry of /v1/health/service; a missing or unreadable note counts as no load. */
    static FleetMember of(HealthEntry entry) {
        LoadNote load = entry.load();
        return new FleetMember(entry.serviceId(), entry.address(), entry.port(), entry.status(), load.inFlight(),
                load.lastRequestMillis(), load.ratePerSecond());
    }

    /** Every check passes: it counts for the replica policy and may be chosen for scale-in. */
    boolean passing() {
        return status == CheckStatus.PASSING;
    }

    /**
     * Some check is critical: its process may be gone. A warning instance is alive (a check says it struggles), so
     * it is not a ghost, though it does not count for the policy either.
     */
    boolean critical() {
        return status == CheckStatus.CRITICAL;
    }

    /** Scale-in victims first: the order the policy names, instance ID last so that the choice is stable. */
    static Comparator<FleetMember> victimsFirst(ScaleInOrder order) {
        Comparator<FleetMember> byLoad = switch (order) {
            case LEAST_RECENTLY_REQUESTED -> Comparator.comparingLong(FleetMember::lastRequestMillis)
                    .thenComparingInt(FleetMember::inFlight);
            case LOWEST_LOAD -> Comparator.comparingInt(FleetMember::inFlight)
                    .thenComparingDouble(FleetMember::ratePerSecond)
                    .thenComparingLong(FleetMember::lastRequestMillis);
        };
        return byLoad.thenComparing(FleetMember::id);
    }
}
