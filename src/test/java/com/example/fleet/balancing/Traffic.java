package com.example.fleet.balancing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.smallrye.stork.api.ServiceInstance;

/**
 * Calls through one balancer among one fleet, steered to chosen instances: a call to an instance is the first
 * selection among the whole fleet that picks it, so the fleet stays the balancer's current candidates.
 */
final class Traffic {

    private final PeakEwmaLoadBalancer balancer;
    private final List<ServiceInstance> fleet;

    Traffic(PeakEwmaLoadBalancer balancer, List<ServiceInstance> fleet) {
        this.balancer = balancer;
        this.fleet = fleet;
    }

    ServiceInstance callTo(ServiceInstance target) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            ServiceInstance selected = balancer.selectServiceInstance(fleet);
            if (selected.getId() == target.getId()) {
                return selected;
            }
        }
        throw new AssertionError("instance " + target.getId() + " is never selected");
    }

    /**
     * {@code count} calls to {@code target}, all selected before any starts: a call in flight would make the
     * instance lose the next comparisons, as would the penalty of a failed one.
     */
    List<ServiceInstance> openCallsTo(ServiceInstance target, int count) {
        List<ServiceInstance> calls = Stream.generate(() -> callTo(target)).limit(count).toList();
        calls.forEach(call -> call.recordStart(true));
        return calls;
    }

    void failRepeatedly(ServiceInstance target, int times, Throwable error) {
        openCallsTo(target, times).forEach(call -> call.recordEnd(error));
    }

    /** How many of {@code selections} selections each instance id got. */
    Map<Long, Integer> picks(int selections) {
        Map<Long, Integer> picks = new HashMap<>();
        for (int i = 0; i < selections; i++) {
            picks.merge(balancer.selectServiceInstance(fleet).getId(), 1, Integer::sum);
        }
        return picks;
    }
}
