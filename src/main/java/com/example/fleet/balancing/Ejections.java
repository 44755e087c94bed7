package com.example.fleet.balancing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.example.fleet.balancing.rules.Ejection;
import com.example.fleet.balancing.rules.Ejection.Reason;
import com.example.fleet.balancing.rules.FailureKind;
import com.example.fleet.balancing.rules.OutlierDetection;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

/**
 * Takes instances out of the rotation on failed calls, after Envoy's outlier detection: one that refuses a
 * connection at once, for {@code ejection-cool-off}; one that fails {@code consecutive-failures} calls in a row
 * (5xx answers, timeouts, resets) for {@code ejection-base} times its number of ejections, up to
 * {@code max-ejection}, unless {@code max-ejected-percent} of the current candidates are already ejected for
 * failures. Every failure also weighs as the error penalty in the latency estimate. Below {@code panic-threshold}
 * percent of candidates left, selections ignore ejections. Ejections are rare and take a lock; selections only
 * read them, and the version that tells them an ejection started.
 */
final class Ejections {

    private final PeakEwmaSettings settings;
    private final Supplier<Candidates> current;
    private final BalancerMeters meters;
    private final AtomicLong version = new AtomicLong();
    private final Object deciding = new Object();

    /** Ejections among the candidates {@code current} hands out. */
    Ejections(PeakEwmaSettings settings, Supplier<Candidates> current, BalancerMeters meters) {
        this.settings = settings;
        this.current = current;
        this.meters = meters;
    }

    /** Whether selections among {@code candidates} at {@code now} ignore ejections; O(1) but after a change. */
    boolean panics(Candidates candidates, long now) {
        return settings.outliers().panics(candidates.size(), census(candidates, now).ejected());
    }

    /** How many of {@code candidates} are ejected, and unhealthy, at {@code now}; O(1) but after a change. */
    EjectionCensus census(Candidates candidates, long now) {
        return candidates.census(now, version.get(), settings.ejectionCoolOff().toNanos());
    }

    /** {@link #panics}, for a selection: counted when it does. */
    boolean selectionPanics(Candidates candidates, long now) {
        boolean panics = panics(candidates, now);
        if (panics) {
            meters.panicSelection();
        }
        return panics;
    }

    /** A selection among levels that panics (see {@link LevelRouter}): counted, and true. */
    boolean forcedPanic() {
        meters.panicSelection();
        return true;
    }

    /** A call to {@code instance} ended in success, or got an answer. */
    void succeeded(InstanceState instance) {
        resetFailures(instance);
    }

    /**
     * A call to {@code instance} failed at {@code now}. Every error weighs as the penalty, as before ejections
     * existed; a client error (4xx) is an answer, though, so it ends a run of failures, as any non-5xx answer does
     * in Envoy: a caller asking for what does not exist must not eject instance after instance.
     */
    void failed(InstanceState instance, FailureKind kind, long now) {
        instance.recordPenalty(now);
        switch (kind) {
            case REFUSED -> refused(instance, now);
            case CLIENT_ERROR -> resetFailures(instance);
            case FAILED -> {
                // calls in flight when the instance was ejected end failed too: they do not count toward the next
                if (!instance.isEjected(now)
                        && failedAgain(instance, now) >= settings.outliers().consecutiveFailures()) {
                    failedTooOften(instance, now);
                }
            }
        }
    }

    /**
     * A call to {@code instance} was given up after {@code elapsedNanos} because another try of the same call
     * answered first. That time is a lower bound of its latency (unless the call was a probe of a penalised
     * instance). It penalises the instance, so that its next call is a probe, but it is no error: it neither counts
     * toward an ejection nor toward the level's health. A slow answer now and then costs a healthy instance one
     * probe at a time until its next success, and a new instance, slow while it warms up, is not ejected for the
     * calls it had in flight when its first one was given up. An instance that hangs is ejected all the same: its
     * probes are never given up (see {@code ProbeCall}), and they fail on their per-try timeout.
     */
    void abandoned(InstanceState instance, long elapsedNanos, long now) {
        if (!instance.penalised()) {
            // a probe given up says nothing of its speed: it would pull a hung instance's estimate down
            instance.recordLatency(elapsedNanos, now);
        }
        instance.failedAgain();
    }

    /**
     * Ejects an instance nobody listens on, whatever the share already ejected: the cap protects capacity from a
     * signal that overload gives as well, and an instance that refuses connections has none to lose; every call
     * sent there fails before it has any effect. The panic threshold still bounds how many are left out.
     */
    private void refused(InstanceState instance, long now) {
        synchronized (deciding) {
            Ejection previous = instance.ejection();
            long until = now + settings.ejectionCoolOff().toNanos();
            if (previous != null && previous.activeAt(now) && previous.untilNanos() - until >= 0) {
                // a longer ejection is on
                return;
            }
            eject(instance, previous, new Ejection(until, Reason.REFUSED, countAt(previous, now)), now);
        }
    }

    private void failedTooOften(InstanceState instance, long now) {
        synchronized (deciding) {
            Ejection previous = instance.ejection();
            if (previous != null && previous.activeAt(now)) {
                // another thread ejected it since
                return;
            }
            OutlierDetection detection = settings.outliers();
            Candidates candidates = current.get();
            if (census(candidates, now).ejectedForFailures() >= detection.maxEjected(candidates.size())) {
                // the failures still weigh as penalties, and the next one tries again
                return;
            }
            int count = Math.min(countAt(previous, now) + 1, detection.maxCount());
            eject(instance, previous, new Ejection(now + detection.ejectionNanos(count), Reason.FAILURES, count), now);
            resetFailures(instance);
        }
    }

    private void eject(InstanceState instance, Ejection previous, Ejection ejection, long now) {
        instance.eject(ejection);
        // after the ejection, so that a census taken at the new version sees it
        version.incrementAndGet();
        if (previous == null || !previous.activeAt(now)) {
            // a refusal that extends an ejection is no new one
            meters.ejected(ejection.reason());
        }
    }

    /**
     * One more failed call in a row; returns the run of errors, which ejects at {@code consecutive-failures}. A run
     * reaching the failing length makes the instance unhealthy for its level: censuses count again.
     */
    private int failedAgain(InstanceState instance, long now) {
        instance.failedAgain();
        int errors = instance.erredAgain(now);
        if (errors == InstanceState.FAILING_RUN) {
            version.incrementAndGet();
        }
        return errors;
    }

    private void resetFailures(InstanceState instance) {
        if (instance.resetFailures() >= InstanceState.FAILING_RUN) {
            version.incrementAndGet();
        }
    }

    private int countAt(Ejection previous, long now) {
        return previous == null ? 0 : previous.countAt(now, settings.outliers().ejectionBase().toNanos());
    }
}
