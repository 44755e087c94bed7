package com.example.fleet.balancing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import com.example.fleet.balancing.rules.FailureKind;

import io.smallrye.stork.spi.CallStatisticsCollector;

/**
 * Statistics of one call to one instance. One recorder per call makes the in-flight count exact: it goes down
 * once per call that went up, whatever order and number of end signals arrive. The instance is known, so the
 * ids Stork passes are not needed.
 */
final class CallRecorder implements CallStatisticsCollector {

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int ENDED = 2;

    private final InstanceState instance;
    private final Ejections ejections;
    private final LongSupplier nanoClock;
    private final AtomicInteger phase = new AtomicInteger(NEW);
    private volatile boolean timed;
    private volatile boolean probe;
    private volatile long startedNanos;
    // -1 until a reply is timed; kept until the end, because the REST client also reports a "reply" for failures
    private volatile long replyNanos = -1;

    CallRecorder(InstanceState instance, Ejections ejections, LongSupplier nanoClock) {
        this.instance = instance;
        this.ejections = ejections;
        this.nanoClock = nanoClock;
    }

    @Override
    public void recordStart(long serviceInstanceId, boolean measureTime) {
        if (phase.compareAndSet(NEW, STARTED)) {
            // Stork only takes the start time when asked to measure; other reply times are meaningless
            timed = measureTime;
            startedNanos = nanoClock.getAsLong();
            probe = instance.callStarted(this, startedNanos);
        }
    }

    @Override
    public void recordReply(long serviceInstanceId, long timeInNs) {
        if (timed) {
            replyNanos = timeInNs;
        }
    }

    @Override
    public void recordEnd(long serviceInstanceId, Throwable error) {
        int previous = phase.getAndSet(ENDED);
        if (previous == ENDED) {
            return;
        }
        if (previous == STARTED) {
            instance.callEnded(this);
        }
        long now = nanoClock.getAsLong();
        if (error != null) {
            FailureKind kind = FailureKind.of(error);
            if (kind == FailureKind.ABANDONED) {
                ejections.abandoned(instance, now - startedNanos, now);
            } else {
                ejections.failed(instance, kind, now);
            }
            return;
        }
        if (replyNanos >= 0) {
            instance.recordLatency(replyNanos, now);
        }
        ejections.succeeded(instance);
    }

    /** Whether the call, once started, is a probe of a penalised instance. */
    boolean probe() {
        return probe;
    }

    /** How long the call has been open at {@code now}; 0 once it ended or before it started. */
    long ageAt(long now) {
        return phase.get() == STARTED ? Math.max(0, now - startedNanos) : 0;
    }

    /**
     * Ends a call that is still open after {@code timeout} as failed. The REST client never reports the end of a
     * call reset or timed out after its request was sent; without this it would stay in flight for ever.
     */
    void expireIfOlderThan(long timeoutNanos, long now) {
        if (now - startedNanos > timeoutNanos && phase.compareAndSet(STARTED, ENDED)) {
            instance.callEnded(this);
            ejections.failed(instance, FailureKind.FAILED, now);
        }
    }
}
