package com.example.fleet.calls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of one target service's calls: calls, retries made, retries refused by the budget, tries timed out, and
 * backup tries sent, refused by the budget and answering first.
 */
final class CallMetrics {

    final Counter calls;
    final Counter retries;
    final Counter retriesRefusedByBudget;
    final Counter triesTimedOut;
    final Counter hedges;
    final Counter hedgesRefusedByBudget;
    final Counter hedgesWon;

    CallMetrics(MeterRegistry registry, String service) {
        calls = Counter.builder("fleet.calls").tag("service", service)
                .description("Calls to the fleet, each with one or more tries").register(registry);
        retries = Counter.builder("fleet.calls.retries").tag("service", service)
                .description("Tries after the first, each on another instance").register(registry);
        retriesRefusedByBudget = Counter.builder("fleet.calls.retries.refused").tag("service", service)
                .tag("reason", "budget").description("Retries not made because the retry budget was spent")
                .register(registry);
        triesTimedOut = Counter.builder("fleet.calls.tries.timed.out").tag("service", service)
                .description("Tries that got no answer within the per-try timeout").register(registry);
        hedges = Counter.builder("fleet.calls.hedges").tag("service", service)
                .description("Backup tries sent because a try had not answered within the hedge delay")
                .register(registry);
        hedgesRefusedByBudget = Counter.builder("fleet.calls.hedges.refused").tag("service", service)
                .tag("reason", "budget").description("Backup tries not sent because the retry budget was spent")
                .register(registry);
        hedgesWon = Counter.builder("fleet.calls.hedges.won").tag("service", service)
                .description("Backup tries that answered before the try they backed up").register(registry);
    }
}
