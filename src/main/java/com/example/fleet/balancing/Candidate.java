package com.example.fleet.balancing;

import io.smallrye.stork.api.ServiceInstance;

/**
 * One instance of a prepared collection, with its state and the weight its labels gave when the collection was
 * prepared (read once there rather than on every comparison).
 */
record Candidate(ServiceInstance instance, InstanceState state, int weight) {

    double load(long now) {
        return state.load(now, weight);
    }
}
