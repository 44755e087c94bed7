package com.example.fleet.scaling;

import java.util.Comparator;
import java.util.List;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.ServiceEntry;

/**
 * One instance as the leader sees it in Consul, with the load its heartbeat publishes.
 *
 * @param lastRequestMillis epoch milliseconds of its last request, 0 when it never had one
 */
public record FleetMember(String id, String address, int port, boolean passing, int inFlight, long lastRequestMillis,
        double ratePerSecond) {

    /** Reads an entry of /v1/health/service; a missing or unreadable note counts as no load. */
    static FleetMember of(ServiceEntry entry) {
        List<Check> checks = entry.getChecks() == null ? List.of() : entry.getChecks();
        boolean passing = checks.stream().allMatch(check -> check.getStatus() == CheckStatus.PASSING);
        JsonObject note = checks.stream().filter(check -> check.getId() != null && check.getId().endsWith(":ttl"))
                .map(Check::getOutput).filter(output -> output != null && output.startsWith("{")).findFirst()
                .map(FleetMember::json).orElse(new JsonObject());
        String address = entry.getService().getAddress() == null || entry.getService().getAddress().isBlank()
                ? entry.getNode().getAddress()
                : entry.getService().getAddress();
        return new FleetMember(entry.getService().getId(), address, entry.getService().getPort(), passing,
                note.getInteger("inFlight", 0), note.getLong("lastRequestMillis", 0L),
                note.getDouble("ratePerSecond", 0.0));
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

    private static JsonObject json(String note) {
        try {
            return new JsonObject(note);
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }
}
