package com.example.fleet.balancing.ladder;

import java.util.Optional;

import com.example.fleet.discovery.ConsulWatchInstance;

import io.smallrye.stork.api.ServiceInstance;

/**
 * The failure domains a caller prefers, in order: its own zone, the rest of its own datacenter, then each failover
 * datacenter in the order discovery lists them. Without an own zone the first two are one level. Instances of a
 * discovery that knows no datacenters are all local.
 */
public final class Ladder {

    private final Optional<String> ownZone;

    /** @param ownZone the caller's zone ({@code fleet.zone}); none: zones make no difference */
    public Ladder(Optional<String> ownZone) {
        this.ownZone = ownZone;
    }

    /** The instance's level: 0 is the most preferred. */
    public int positionOf(ServiceInstance instance) {
        int datacenterRank = ConsulWatchInstance.datacenterRank(instance);
        if (ownZone.isEmpty()) {
            return datacenterRank;
        }
        if (datacenterRank > 0) {
            return datacenterRank + 1;
        }
        return ownZone.equals(ConsulWatchInstance.zoneOf(instance)) ? 0 : 1;
    }

    /** Whether the level at {@code position} lies in the caller's own datacenter. */
    public boolean local(int position) {
        return position < firstFailoverPosition();
    }

    /** How the fleet view names a level, from one of its instances. */
    public String nameOf(int position, ServiceInstance member) {
        if (local(position)) {
            if (ownZone.isEmpty()) {
                return "local datacenter";
            }
            return position == 0 ? "zone " + ownZone.get() : "other zones";
        }
        return "datacenter " + (member instanceof ConsulWatchInstance found
                ? found.datacenter().orElse("?")
                : "?");
    }

    private int firstFailoverPosition() {
        return ownZone.isEmpty() ? 1 : 2;
    }
}
