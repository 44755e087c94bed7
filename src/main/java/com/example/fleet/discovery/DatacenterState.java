package com.example.fleet.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.smallrye.stork.api.ServiceInstance;

/**
 * What the watch of one datacenter knows, immutable so that a swap is atomic. Only an answer from Consul changes
 * its instances; an error only marks it.
 *
 * @param datacenter the failover datacenter watched; empty for the local one
 * @param rank 0 for the local datacenter, then 1, 2, ... in the order of {@code failover-datacenters}
 * @param instances its accepted instances, in Consul's order; the same object while they do not change
 * @param index Consul's index of the last answer; 0 before the first
 * @param answeredAt when Consul last answered; empty before the first answer
 * @param problem the error since which Consul has not answered, if it has not
 */
public record DatacenterState(Optional<String> datacenter, int rank, List<ServiceInstance> instances, long index,
        Optional<Instant> answeredAt, Optional<String> problem) {

    static DatacenterState unanswered(Optional<String> datacenter, int rank) {
        return new DatacenterState(datacenter, rank, List.of(), 0, Optional.empty(), Optional.empty());
    }

    DatacenterState answered(List<ServiceInstance> latest, long latestIndex) {
        return new DatacenterState(datacenter, rank, latest, latestIndex, Optional.of(Instant.now()), Optional.empty());
    }

    DatacenterState failing(String why) {
        return new DatacenterState(datacenter, rank, instances, index, answeredAt, Optional.of(why));
    }

    /** How the fleet view names it: its name, or "local". */
    public String name() {
        return datacenter.orElse("local");
    }

    /** How long ago Consul last answered; empty before the first answer. */
    public Optional<Duration> age() {
        return answeredAt.map(at -> Duration.between(at, Instant.now()));
    }
}
