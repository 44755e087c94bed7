package com.example.fleet.balancing;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What the balancer knows about one instance; updated from many event-loop threads without locks. */
final class InstanceState {

    private final PeakEwmaSettings settings;
    private final AtomicReference<LatencyEstimate> latency;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<CallRecorder> openCalls = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastSeenSelection;
    private volatile long lastSeenNanos;
    // null when not ejected, so that no nanoTime value has to serve as "never"
    private volatile Long ejectedUntilNanos;

    InstanceState(PeakEwmaSettings settings, long selection, long now) {
        this.settings = settings;
        this.latency = new AtomicReference<>(new LatencyEstimate(settings.defaultRtt().toNanos(), now));
        this.lastSeenSelection = new AtomicLong(selection);
        this.lastSeenNanos = now;
    }

    /**
     * Marks the instance as a candidate of selection number {@code selection}. Missing from an earlier selection
     * means discovery dropped it and now reports it back, which ends an ejection. Strict recording makes Stork
     * run selections one at a time; were they to overlap, an ejection could end early, costing one refused call.
     */
    void seen(long selection, long now) {
        long previous = lastSeenSelection.getAndAccumulate(selection, Math::max);
        lastSeenNanos = now;
        if (previous < selection - 1) {
            ejectedUntilNanos = null;
        }
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** Expected cost of sending one more call here: latency times the calls it would queue behind, per weight. */
    double load(long now, int weight) {
        return estimateNanos(now) * (inFlight.get() + 1) / weight;
    }

    double estimateNanos(long now) {
        return latency.get().at(now, settings.decayTime().toNanos(), settings.defaultRtt().toNanos());
    }

    int inFlight() {
        return inFlight.get();
    }

    void callStarted(CallRecorder call) {
        openCalls.add(call);
        inFlight.incrementAndGet();
    }

    void callEnded(CallRecorder call) {
        openCalls.remove(call);
        inFlight.decrementAndGet();
    }

    /** Ends, as failed, the calls nobody reported the end of within the call timeout. */
    void expireStaleCalls(long now) {
        long timeout = settings.callTimeout().toNanos();
        for (CallRecorder call : openCalls) {
            call.expireIfOlderThan(timeout, now);
        }
    }

    void recordLatency(long rttNanos, long now) {
        latency.updateAndGet(estimate -> estimate.withSample(rttNanos, now, settings.decayTime().toNanos()));
    }

    /** A failed call weighs as a very slow one; one that could not even connect also keeps the instance out. */
    void recordFailure(long now, boolean couldNotConnect) {
        recordLatency(settings.errorPenalty().toNanos(), now);
        if (couldNotConnect) {
            ejectedUntilNanos = now + settings.ejectionCoolOff().toNanos();
        }
    }

    boolean isEjected(long now) {
        return ejectedUntilNanos(now).isPresent();
    }

    /** When the ejection ends, as a point on the balancer's nanosecond clock. */
    Optional<Long> ejectedUntilNanos(long now) {
        Long until = ejectedUntilNanos;
        return until != null && now - until < 0 ? Optional.of(until) : Optional.empty();
    }
}
