package com.example.fleet.scaling;

import java.util.Comparator;
import java.util.List;

import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.LoadNote;

/**
 * One instance as the leader sees it in Consul, with the load its heartbeat publishes.
 *
 * @param lastRequestMillis epoch milliseconds of its last request, 0 when it never had one
 */
public record FleetMember(String id, String address, int port, boolean passing, int inFlight, long lastRequestMillis,
        double ratePerSecond) {

    /** Reads an entry of /v1/health/service; a missing or unreadable note counts as no load. */
    static FleetMember of(HealthEntry entry) {
        LoadNote load = entry.load();
        return new FleetMember(entry.serviceId(), entry.address(), entry.port(), entry.passing(), load.inFlight(),
                load.lastRequestMillis(), load.ratePerSecond());
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
