package com.example.fleet.balancing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.smallrye.stork.api.ServiceInstance;

/**
 * The states of the instances a balancer has seen, by instance id. Instances that stop being candidates are
 * forgotten after a while, so memory follows the live fleet rather than every instance ever seen.
 */
final class InstanceStates {

    /** A candidate of one selection with its state. */
    record Candidate(ServiceInstance instance, InstanceState state) {
    }

    private final PeakEwmaSettings settings;
    private final long forgetAfterNanos;
    private final Map<Long, InstanceState> byId = new ConcurrentHashMap<>();
    private final AtomicLong selections = new AtomicLong();
    private final AtomicLong nextPruneNanos;
    private final AtomicLong nextSweepNanos;

    InstanceStates(PeakEwmaSettings settings, long now) {
        this.settings = settings;
        this.forgetAfterNanos = settings.forgetAfter().toNanos();
        this.nextPruneNanos = new AtomicLong(now + forgetAfterNanos);
        this.nextSweepNanos = new AtomicLong(now + sweepPeriodNanos());
    }

    /**
     * The candidates a selection may choose from: all but the ejected ones, or all of them when every one is
     * ejected (a chance of success beats certain failure).
     */
    List<Candidate> selectable(Collection<ServiceInstance> instances, long now) {
        long selection = selections.incrementAndGet();
        List<Candidate> all = new ArrayList<>(instances.size());
        List<Candidate> notEjected = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            InstanceState state = byId.computeIfAbsent(instance.getId(),
                    id -> new InstanceState(settings, selection, now));
            state.seen(selection, now);
            Candidate candidate = new Candidate(instance, state);
            all.add(candidate);
            if (!state.isEjected(now)) {
                notEjected.add(candidate);
            }
        }
        pruneIfDue(now);
        sweepIfDue(now);
        return notEjected.isEmpty() ? all : notEjected;
    }

    Map<Long, InstanceState> byId() {
        return byId;
    }

    /** Four sweeps per call timeout: a stale call is ended at most a quarter of the timeout late. */
    private long sweepPeriodNanos() {
        return settings.callTimeout().toNanos() / 4;
    }

    private void sweepIfDue(long now) {
        long due = nextSweepNanos.get();
        if (now - due >= 0 && nextSweepNanos.compareAndSet(due, now + sweepPeriodNanos())) {
            byId.values().forEach(state -> state.expireStaleCalls(now));
        }
    }

    private void pruneIfDue(long now) {
        long due = nextPruneNanos.get();
        // one thread prunes per period; the others go on selecting
        if (now - due >= 0 && nextPruneNanos.compareAndSet(due, now + forgetAfterNanos)) {
            byId.values().removeIf(state -> now - state.lastSeenNanos() > forgetAfterNanos);
        }
    }
}
