package com.example.fleet.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.smallrye.stork.api.ServiceInstance;

/**
 * What one watch knows, immutable so a swap is atomic and requests holding an older snapshot are not disturbed.
 * Only an answer from Consul changes {@link #instances()}; an error only marks the snapshot.
 *
 * @param instances the accepted instances, in Consul's order
 * @param index Consul's index of the answer
 * @param answeredAt when Consul gave it
 * @param problem the error since which Consul has not answered, if it has not
 */
public record Snapshot(List<ServiceInstance> instances, long index, Instant answeredAt, Optional<String> problem) {

    public Snapshot {
        instances = List.copyOf(instances);
    }

    Snapshot failing(String why) {
        return new Snapshot(instances, index, answeredAt, Optional.of(why));
    }

    public Duration age() {
        return Duration.between(answeredAt, Instant.now());
    }
}
