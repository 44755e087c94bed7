package com.example.fleet.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.consul.LoadNote;

import io.smallrye.stork.api.ServiceInstance;

/**
 * What one watch knows, immutable so a swap is atomic and requests holding an older snapshot are not disturbed.
 * Only an answer from Consul changes {@link #instances()}; an error only marks the snapshot.
 *
 * @param instances the accepted instances, in Consul's order
 * @param loads per instance id, the load its heartbeat note published, as Consul's catalog holds it (the
 *        catalog refreshes notes that change nothing else only every few minutes)
 * @param index Consul's index of the answer
 * @param answeredAt when Consul gave it
 * @param problem the error since which Consul has not answered, if it has not
 */
public record Snapshot(List<ServiceInstance> instances, Map<Long, LoadNote> loads, long index, Instant answeredAt,
        Optional<String> problem) {

    public Snapshot {
        instances = List.copyOf(instances);
        loads = Map.copyOf(loads);
    }

    Snapshot failing(String why) {
        return new Snapshot(instances, loads, index, answeredAt, Optional.of(why));
    }

    public Duration age() {
        return Duration.between(answeredAt, Instant.now());
    }
}
