package com.example.fleet.balancing;

import java.util.EnumMap;
import java.util.Map;

import com.example.fleet.balancing.rules.Ejection.Reason;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of the peak-ewma balancers, shared by all of them: Stork does not tell a balancer which service it
 * balances, so they cannot be told apart by a tag; {@code /api/fleet} shows one service's view.
 */
final class BalancerMeters {

    private final Map<Reason, Counter> ejections = new EnumMap<>(Reason.class);
    private final Counter panicSelections;

    BalancerMeters(MeterRegistry meters) {
        for (Reason reason : Reason.values()) {
            ejections.put(reason, Counter.builder("fleet.balancer.ejections").tag("reason", reason.tag())
                    .description("instances a peak-ewma balancer took out of the rotation").register(meters));
        }
        panicSelections = Counter.builder("fleet.balancer.panic.selections")
                .description("selections among all candidates because too few were left out of ejection")
                .register(meters);
    }

    void ejected(Reason reason) {
        ejections.get(reason).increment();
    }

    void panicSelection() {
        panicSelections.increment();
    }
}
