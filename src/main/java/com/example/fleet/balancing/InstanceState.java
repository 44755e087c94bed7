package com.example.fleet.balancing;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.example.fleet.balancing.rules.Ejection;
import com.example.fleet.balancing.rules.LatencyEstimate;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

/** What the balancer knows about one instance; updated from many event-loop threads without locks. */
final class InstanceState {

    private static final long OLDEST_RESCAN_NANOS = 1_000_000;
    /** Failed calls in a row after which an instance counts as unhealthy for its level (see {@link #failingAt}). */
    static final int FAILING_RUN = 2;

    private final PeakEwmaSettings settings;
    private final AtomicReference<LatencyEstimate> latency;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<CallRecorder> openCalls = ConcurrentHashMap.newKeySet();
    private volatile OldestOpenCall oldestOpenCall;
    /** When its latest probe went out, while penalised. */
    private volatile long lastProbeNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** Of those, the calls that failed rather than were given up for a backup: what level health counts. */
    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    /** When its latest failed call ended; meaningful while a run of errors lasts. */
    private volatile long lastFailureNanos;
    // null until the first ejection, so that no nanoTime value has to serve as "never"; written by Ejections only
    private volatile Ejection ejection;
    // guarded by the lock of InstanceStates: the latest generation of candidates listing this instance, and, once
    // a newer generation leaves it out, the last time it was a candidate
    private long listedIn;
    private long lastCandidateNanos;

    InstanceState(PeakEwmaSettings settings, long now) {
        this.settings = settings;
        this.latency = new AtomicReference<>(new LatencyEstimate(settings.defaultRtt().toNanos(), now));
        // nanoTime has no "never": one interval ago, so that a first probe is due at once
        this.lastProbeNanos = now - settings.probeInterval().toNanos();
    }

    /**
     * Marks the instance as listed by the candidates of {@code generation}. Missing from the generation before
     * means discovery dropped it and now reports it back: its ejection and failure record are forgotten, as Envoy
     * forgets a host that leaves its cluster. A selection holding a collection older than the current one can
     * bring an instance back early, at worst costing one refused call.
     */
    void listedIn(long generation) {
        if (listedIn < generation - 1) {
            ejection = null;
            consecutiveFailures.set(0);
            consecutiveErrors.set(0);
        }
        listedIn = generation;
    }

    /** Unless {@code generation} lists the instance too, it was last a candidate at {@code lastUsedNanos}. */
    void leftOutOf(long generation, long lastUsedNanos) {
        if (listedIn < generation) {
            lastCandidateNanos = lastUsedNanos;
        }
    }

    /** Whether the current candidates, of {@code generation}, leave the instance out since longer than that. */
    boolean absentLongerThan(long forgetAfterNanos, long generation, long now) {
        return listedIn < generation && now - lastCandidateNanos > forgetAfterNanos;
    }

    /** Expected cost of sending one more call here: latency times the calls it would queue behind, per weight. */
    double load(long now, int weight) {
        return estimateNanos(now) * (inFlight.get() + 1) / weight;
    }

    /**
     * The latency to balance on: the peak EWMA of replies, or the age of the oldest call still open here if that is
     * more, because an instance is at least as slow as the call it has not answered yet (Linkerd counts outstanding
     * requests so). An instance that accepts calls and never answers looks slower with every moment its first call
     * stays open, so new calls go elsewhere well before that call times out.
     */
    double estimateNanos(long now) {
        return Math.max(repliesNanos(now), oldestOpenCallNanos(now));
    }

    /** The peak EWMA of replies alone, failures weighing as the penalty. */
    double repliesNanos(long now) {
        return latency.get().at(now, settings.decayTime().toNanos(), settings.defaultRtt().toNanos());
    }

    /**
     * How long the oldest call still open here has run; 0 with none open. The open calls are scanned at most once
     * per {@link #OLDEST_RESCAN_NANOS}, so that every selection reads it in O(1) whatever the calls in flight; what
     * it misses meanwhile (a call that ended) is far below the ages that matter.
     */
    long oldestOpenCallNanos(long now) {
        if (inFlight.get() == 0) {
            return 0;
        }
        OldestOpenCall seen = oldestOpenCall;
        if (seen == null || now - seen.scannedAt() > OLDEST_RESCAN_NANOS) {
            long oldest = 0;
            for (CallRecorder call : openCalls) {
                oldest = Math.max(oldest, call.ageAt(now));
            }
            seen = new OldestOpenCall(now - oldest, now);
            oldestOpenCall = seen;
        }
        return Math.max(0, now - seen.startedAt());
    }

    /** When the oldest open call started, as last scanned. */
    private record OldestOpenCall(long startedAt, long scannedAt) {
    }

    /**
     * Its last call failed or was abandoned, and none has succeeded since: it gets probes, one call at a time and at
     * most one per {@code probe-interval}, until one succeeds; an instance that fails or hangs draws few calls.
     */
    boolean penalised() {
        return consecutiveFailures.get() > 0;
    }

    /**
     * Whether a selection may send it a call now: not ejected, and not a penalised one whose probe is still out or
     * went out less than {@code probe-interval} ago.
     */
    boolean selectable(long now) {
        return !isEjected(now) && !(penalised() && (inFlight.get() > 0
                || now - lastProbeNanos < settings.probeInterval().toNanos()));
    }

    /** Where a choice among instances none of which is selectable puts it, lower first: ejected last, else by run. */
    int lastResortRank(long now) {
        return isEjected(now) ? Integer.MAX_VALUE : consecutiveFailures.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Returns whether the call is a probe: the instance is penalised. */
    boolean callStarted(CallRecorder call, long now) {
        boolean probe = penalised();
        if (probe) {
            lastProbeNanos = now;
        }
        openCalls.add(call);
        inFlight.incrementAndGet();
        return probe;
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

    /** A failed call weighs as a very slow one. */
    void recordPenalty(long now) {
        recordLatency(settings.errorPenalty().toNanos(), now);
    }

    /** Counts one more failed or abandoned call in a row: the instance is penalised until a call succeeds. */
    void failedAgain() {
        consecutiveFailures.incrementAndGet();
    }

    /**
     * Counts one more call in a row that failed (not one given up for a backup, which only says the instance was
     * slower than another once); returns how many there are now.
     */
    int erredAgain(long now) {
        lastFailureNanos = now;
        return consecutiveErrors.incrementAndGet();
    }

    /**
     * Ends the run of failed calls: a success, an answer, or an ejection that acted on it. Returns how many of them
     * in a row were errors.
     */
    int resetFailures() {
        // read first: most calls succeed on an instance without failures, and a read costs no cache-line write
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
        return consecutiveErrors.get() == 0 ? 0 : consecutiveErrors.getAndSet(0);
    }

    /**
     * Whether the instance counts as unhealthy for the level it stands on, short of an ejection: its last
     * {@link #FAILING_RUN} calls or more failed (calls given up for a backup do not count), the latest less than
     * {@code failingNanos} ago. One failure does not count, so that a stray error moves no traffic to another zone
     * or datacenter; an instance that stops
     * answering counts after its second failed try, long before the failures eject it. The spell ends on its own,
     * so that a level nobody sends traffic to any more is tried again.
     */
    boolean failingAt(long now, long failingNanos) {
        return consecutiveErrors.get() >= FAILING_RUN && now - lastFailureNanos < failingNanos;
    }

    long lastFailureNanos() {
        return lastFailureNanos;
    }

    int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** The latest ejection, possibly over; null if none since the instance was (re)listed. */
    Ejection ejection() {
        return ejection;
    }

    void eject(Ejection ejection) {
        this.ejection = ejection;
    }

    /** Asked by every pick, so it allocates nothing. */
    boolean isEjected(long now) {
        Ejection current = ejection;
        return current != null && current.activeAt(now);
    }

    /** When the ejection ends, as a point on the balancer's nanosecond clock. */
    Optional<Long> ejectedUntilNanos(long now) {
        Ejection current = ejection;
        return current != null && current.activeAt(now) ? Optional.of(current.untilNanos()) : Optional.empty();
    }

    /** The failure ejections that still lengthen the next one. */
    int timesEjected(long now) {
        Ejection current = ejection;
        return current == null ? 0 : current.countAt(now, settings.outliers().ejectionBase().toNanos());
    }
}
