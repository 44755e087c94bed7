package com.example.fleet.balancing;

import com.example.fleet.balancing.Ejection.Reason;

/**
 * Takes instances out of the rotation on failed calls, after Envoy's outlier detection: one that refuses a
 * connection at once, for {@code ejection-cool-off}; one that fails {@code consecutive-failures} calls in a row
 * (5xx answers, timeouts, resets) for {@code ejection-base} times its number of ejections, up to
 * {@code max-ejection}. Every failure also weighs as the error penalty in the latency estimate. Ejections are rare
 * and take a lock; selections only read them.
 */
final class Ejections {

    private final PeakEwmaSettings settings;
    private final Object deciding = new Object();

    Ejections(PeakEwmaSettings settings) {
        this.settings = settings;
    }

    /** A call to {@code instance} ended in success, or got an answer. */
    void succeeded(InstanceState instance) {
        instance.resetFailures();
    }

    /** A call to {@code instance} failed at {@code now}. */
    void failed(InstanceState instance, FailureKind kind, long now) {
        instance.recordPenalty(now);
        switch (kind) {
            case REFUSED -> refused(instance, now);
            case CLIENT_ERROR -> instance.resetFailures();
            case FAILED -> {
                // calls in flight when the instance was ejected end failed too: they do not count toward the next
                if (!instance.isEjected(now) && instance.failedAgain() >= settings.outliers().consecutiveFailures()) {
                    failedTooOften(instance, now);
                }
            }
        }
    }

    private void refused(InstanceState instance, long now) {
        synchronized (deciding) {
            Ejection previous = instance.ejection();
            long until = now + settings.ejectionCoolOff().toNanos();
            if (previous != null && previous.activeAt(now) && previous.untilNanos() - until >= 0) {
                // a longer ejection is on
                return;
            }
            instance.eject(new Ejection(until, Reason.REFUSED, countAt(previous, now)));
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
            int count = Math.min(countAt(previous, now) + 1, detection.maxCount());
            instance.eject(new Ejection(now + detection.ejectionNanos(count), Reason.FAILURES, count));
            instance.resetFailures();
        }
    }

    private int countAt(Ejection previous, long now) {
        return previous == null ? 0 : previous.countAt(now, settings.outliers().ejectionBase().toNanos());
    }
}
