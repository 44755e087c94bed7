package com.example.fleet.balancing;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

import io.smallrye.stork.api.ServiceInstance;

/**
 * Sends calls through a balancer at a steady rate on a manual clock; each call ends after its instance's latency,
 * so calls overlap and in-flight counts matter as they do under real load.
 */
final class LoadSimulation {

    private record Call(long endsAt, ServiceInstance selected, Duration latency) {
    }

    private final ManualClock clock;
    private final PeakEwmaLoadBalancer balancer;
    private final ToLongFunction<ServiceInstance> latencyMillis;
    // end times compared as offsets from the start, since nanoTime values may be negative
    private final long origin;
    private final PriorityQueue<Call> running;

    LoadSimulation(ManualClock clock, PeakEwmaLoadBalancer balancer, ToLongFunction<ServiceInstance> latencyMillis) {
        this.clock = clock;
        this.balancer = balancer;
        this.latencyMillis = latencyMillis;
        this.origin = clock.getAsLong();
        this.running = new PriorityQueue<>(Comparator.comparingLong(call -> call.endsAt() - origin));
    }

    /** Starts {@code calls} calls, one every {@code interval}; returns how many each instance id got. */
    Map<Long, Integer> run(Collection<ServiceInstance> candidates, int calls, Duration interval) {
        Map<Long, Integer> picks = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            endCallsUntil(clock.getAsLong() + interval.toNanos());
            ServiceInstance selected = balancer.selectServiceInstance(candidates);
            picks.merge(selected.getId(), 1, Integer::sum);
            selected.recordStart(true);
            Duration latency = Duration.ofMillis(latencyMillis.applyAsLong(selected));
            running.add(new Call(clock.getAsLong() + latency.toNanos(), selected, latency));
        }
        return picks;
    }

    private void endCallsUntil(long until) {
        while (!running.isEmpty() && running.peek().endsAt() - until <= 0) {
            Call call = running.poll();
            clock.set(call.endsAt());
            Calls.reply(call.selected(), call.latency());
            call.selected().recordEnd(null);
        }
        clock.set(until);
    }

    static double share(Map<Long, Integer> picks, long id) {
        int total = picks.values().stream().mapToInt(Integer::intValue).sum();
        return (double) picks.getOrDefault(id, 0) / total;
    }
}
