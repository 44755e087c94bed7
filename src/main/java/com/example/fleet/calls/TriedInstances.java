package com.example.fleet.calls;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.smallrye.stork.api.ServiceInstance;

/** The instances one call has tried, by id; the hedge timer and the tries' callbacks add to it from any thread. */
final class TriedInstances {

    private final Set<Long> ids = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean triedAgain = new AtomicBoolean();

    void add(ServiceInstance instance) {
        ids.add(instance.getId());
    }

    boolean none() {
        return ids.isEmpty();
    }

    /** Whether every instance of {@code all} was tried. */
    boolean all(List<ServiceInstance> all) {
        return all.stream().allMatch(instance -> ids.contains(instance.getId()));
    }

    /**
     * Lets {@code instance} be tried once more, over a new connection, when its connection closed under the try:
     * once per call, so that an instance that closes every connection costs one try more, not a retry loop.
     *
     * @return false when a call already had its try again
     */
    boolean tryAgain(ServiceInstance instance) {
        if (!triedAgain.compareAndSet(false, true)) {
            return false;
        }
        ids.remove(instance.getId());
        return true;
    }

    /**
     * The instances of {@code all} not tried yet: {@code all} itself when discovery has dropped every instance
     * tried, so that the balancer sees discovery's own list rather than a copy it would take for a new one.
     */
    List<ServiceInstance> untried(List<ServiceInstance> all) {
        List<ServiceInstance> untried = all.stream().filter(instance -> !ids.contains(instance.getId())).toList();
        return untried.size() == all.size() ? all : untried;
    }

    /** The instances of {@code all}, the latest list, that were tried, as host:port. */
    String describe(List<ServiceInstance> all) {
        return all.stream().filter(instance -> ids.contains(instance.getId()))
                .map(instance -> instance.getHost() + ":" + instance.getPort()).collect(Collectors.joining(", "));
    }
}
