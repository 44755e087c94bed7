package com.example.fleet.discovery;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.smallrye.stork.api.ServiceInstance;

/**
 * What the watches of one service know, immutable so a swap is atomic and requests holding an older snapshot are
 * not disturbed. The instances are those of the local datacenter, then those of each failover datacenter in order;
 * the list is the same object for as long as none of them changes, so that a balancer prepares it once.
 *
 * @param datacenters the local datacenter's watch first, then each failover datacenter's
 */
public record Snapshot(List<ServiceInstance> instances, List<DatacenterState> datacenters) {

    public Snapshot {
        datacenters = List.copyOf(datacenters);
    }

    /** The local datacenter's watch. */
    public DatacenterState local() {
        return datacenters.get(0);
    }

    /** Consul's index of the local datacenter's last answer. */
    public long index() {
        return local().index();
    }

    /** The problems of the watches that Consul does not answer, each naming its datacenter; empty when it does. */
    public Optional<String> problem() {
        String problems = datacenters.stream().flatMap(state -> state.problem().stream())
                .collect(Collectors.joining("; "));
        return problems.isEmpty() ? Optional.empty() : Optional.of(problems);
    }
}
