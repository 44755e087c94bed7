package com.example.fleet.balancing;

import io.smallrye.stork.api.ServiceInstance;

/**
 * One instance of a prepared collection, with its state, and the weight its labels gave and its level on the
 * ladder (see {@link com.example.fleet.balancing.ladder.Ladder}) when the collection was prepared (read once there rather than on every selection).
 */
record Candidate(ServiceInstance instance, InstanceState state, int weight, int position) {

    double load(long now) {
        return state.load(now, weight);
    }
}
