package com.example.fleet.scaling;

import java.util.Optional;
import java.util.OptionalInt;

import com.example.fleet.consul.HealthEntry;
import com.example.fleet.load.LoadEndpoint;
import com.example.fleet.load.LoadNote;

import io.vertx.ext.consul.CheckStatus;

/**
 * One instance as the leader sees it in Consul; its load is read from the instance itself, and only when the
 * leader chooses victims.
 *
 * @param status the aggregated status of its checks, as {@link HealthEntry} reads it
 * @param managementPort the port of its management interface, when it registered one
 * @param load what it answered when asked for its load; empty when not asked, or when it did not answer
 */
public record FleetMember(String id, String address, int port, OptionalInt managementPort, CheckStatus status,
        Optional<LoadNote> load) {

    /** Reads an entry of /v1/health/service; the load is not known yet. */
    public static FleetMember of(HealthEntry entry) {
        return new FleetMember(entry.serviceId(), entry.address(), entry.port(),
                port(entry.meta().get(LoadEndpoint.MANAGEMENT_PORT_META)), entry.status(), Optional.empty());
    }

    public FleetMember withLoad(Optional<LoadNote> read) {
        return new FleetMember(id, address, port, managementPort, status, read);
    }

    /** Every check passes: it counts for the replica policy and may be chosen for scale-in. */
    public boolean passing() {
        return status == CheckStatus.PASSING;
    }

    /**
     * Some check is critical: its process may be gone. A warning instance is alive (a check says it struggles), so
     * it is not a ghost, though it does not count for the policy either.
     */
    public boolean critical() {
        return status == CheckStatus.CRITICAL;
    }

    /** A port written in Meta by another instance; anything else reads as none, so the service port is tried. */
    private static OptionalInt port(String meta) {
        try {
            int port = meta == null ? 0 : Integer.parseInt(meta.strip());
            return port > 0 && port <= 65535 ? OptionalInt.of(port) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
