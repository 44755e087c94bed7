package com.example.fleet.balancing;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.example.fleet.balancing.ladder.Ladder;
import com.example.fleet.balancing.rules.PeakEwmaSettings;
import com.example.fleet.consul.ServiceWeight;
import com.example.fleet.discovery.ConsulWatchInstance;

import io.smallrye.stork.api.ServiceInstance;

/**
 * The states of the instances a balancer has seen, by instance id, and the candidates prepared from the latest
 * collection of instances. A state follows its instance id across collections. Instances that stop being
 * candidates are forgotten after a while, so memory follows the live fleet rather than every instance ever seen.
 */
final class InstanceStates {

    private final PeakEwmaSettings settings;
    private final Ladder ladder;
    private final long forgetAfterNanos;
    private final Map<Long, InstanceState> byId = new ConcurrentHashMap<>();
    // preparing candidates and forgetting states change which states are listed: both are rare and take this
    // lock, so that neither misses what the other does; selections take no lock
    private final Object listing = new Object();
    private volatile Candidates current;
    /** The last collection selected among as a subset of the latest candidates (see {@link #retrySubset}). */
    private volatile Collection<ServiceInstance> lastSubset;
    private final AtomicLong nextPruneNanos;
    private final AtomicLong nextSweepNanos;

    InstanceStates(PeakEwmaSettings settings, Ladder ladder, long now) {
        this.settings = settings;
        this.ladder = ladder;
        this.forgetAfterNanos = settings.forgetAfter().toNanos();
        this.current = Candidates.none(now);
        this.nextPruneNanos = new AtomicLong(now + forgetAfterNanos);
        this.nextSweepNanos = new AtomicLong(now + sweepPeriodNanos());
    }

    /**
     * The candidates of a selection among {@code instances}. Discovery consul-watch hands out the same collection
     * object until Consul reports a change, so the candidates are prepared (in O(n)) once per snapshot and every
     * other selection costs O(1). A retry's collection, the latest candidates less those its call tried, is a
     * subset of them and prepares nothing new (see {@link #retrySubset}). A discovery that builds a new
     * collection for every call gets a preparation, O(n), on every call.
     */
    Candidates candidatesOf(Collection<ServiceInstance> instances, long now) {
        Candidates candidates = current;
        if (!candidates.preparedFrom(instances)) {
            candidates = retrySubset(candidates, instances, now).orElseGet(() -> prepare(instances, now));
        }
        candidates.usedAt(now);
        pruneIfDue(now);
        sweepIfDue(now);
        return candidates;
    }

    /**
     * A selection among a subset of the latest candidates, shown for the first time: a retry's, which is used once.
     * Discovery's next snapshot after an instance left is a subset too, but it comes again with the next call: then
     * it is prepared as the new generation.
     */
    private Optional<Candidates> retrySubset(Candidates latest, Collection<ServiceInstance> instances, long now) {
        if (instances == lastSubset) {
            return Optional.empty();
        }
        Optional<Candidates> subset = latest.subset(instances, now);
        if (subset.isPresent()) {
            lastSubset = instances;
        }
        return subset;
    }

    /** The candidates prepared last. */
    Candidates current() {
        return current;
    }

    Map<Long, InstanceState> byId() {
        return byId;
    }

    private Candidates prepare(Collection<ServiceInstance> instances, long now) {
        synchronized (listing) {
            Candidates previous = current;
            if (previous.preparedFrom(instances)) {
                // another selection brought the same collection first
                return previous;
            }
            long generation = previous.generation() + 1;
            ServiceInstance[] listed = instances.toArray(ServiceInstance[]::new);
            Candidate[] candidates = new Candidate[listed.length];
            for (int i = 0; i < listed.length; i++) {
                InstanceState state = byId.computeIfAbsent(listed[i].getId(), id -> new InstanceState(settings, now));
                state.listedIn(generation);
                int weight = ServiceWeight.fromMeta(ConsulWatchInstance.metaOrLabels(listed[i]));
                candidates[i] = new Candidate(listed[i], state, weight, ladder.positionOf(listed[i]));
            }
            previous.leftOutOf(generation);
            current = Candidates.prepared(instances, candidates, generation, now);
            return current;
        }
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
            synchronized (listing) {
                long listedNow = current.generation();
                byId.values().removeIf(state -> state.absentLongerThan(forgetAfterNanos, listedNow, now));
            }
        }
    }
}
