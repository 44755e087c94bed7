package com.example.fleet.calls;

import io.smallrye.stork.api.ServiceInstance;

/**
 * Told of every try of a fleet call as it ends, on the Vert.x event loop: it must return at once. Installed only
 * while someone looks (the fleet page's call chart), so that calls cost nothing extra otherwise.
 */
@FunctionalInterface
public interface TryObserver {

    /** Observes nothing: what calls use while nobody looks. */
    TryObserver NONE = (instance, nanos, answered) -> {
    };

    /**
     * @param instance the instance the try went to
     * @param nanos how long the try took, until its answer or failure
     * @param answered whether the instance answered (below 500); a failed try is a refused connection, a reset, a
     *        timeout or a 5xx
     */
    void tried(ServiceInstance instance, long nanos, boolean answered);
}
