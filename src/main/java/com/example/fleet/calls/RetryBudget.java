package com.example.fleet.calls;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Retries allowed as a share of recent calls plus a floor per second, over a sliding window of one-second slots:
 * what keeps retries from multiplying the load on a fleet that is already failing. One budget per target service,
 * shared by every call to it. Calls and retries older than the window stop counting.
 */
final class RetryBudget {

    private static final long SLOT_NANOS = Duration.ofSeconds(1).toNanos();

    private final LongSupplier nanoClock;
    private final int percent;
    private final long floor;
    private final long[] slotStart;
    private final long[] calls;
    private final long[] retries;

    RetryBudget(CallSettings.RetryBudgetSettings settings, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.percent = settings.percent();
        int slots = (int) Math.max(1, settings.window().toSeconds());
        this.floor = (long) settings.minPerSecond() * slots;
        this.slotStart = new long[slots];
        this.calls = new long[slots];
        this.retries = new long[slots];
    }

    /** A call was made: it adds its share to what may be retried. */
    synchronized void called() {
        calls[slot(nanoClock.getAsLong())]++;
    }

    /** Takes one retry from the budget; false, and nothing taken, when the budget is spent. */
    synchronized boolean tryRetry() {
        long now = nanoClock.getAsLong();
        int current = slot(now);
        long callsInWindow = 0;
        long retriesInWindow = 0;
        for (int i = 0; i < slotStart.length; i++) {
            if (now - slotStart[i] < SLOT_NANOS * slotStart.length) {
                callsInWindow += calls[i];
                retriesInWindow += retries[i];
            }
        }
        if ((retriesInWindow + 1) * 100 > callsInWindow * percent + floor * 100) {
            return false;
        }
        retries[current]++;
        return true;
    }

    /** The slot of {@code now}, emptied first if it still holds an older second. */
    private int slot(long now) {
        long second = Math.floorDiv(now, SLOT_NANOS);
        int index = (int) Math.floorMod(second, (long) slotStart.length);
        long start = second * SLOT_NANOS;
        if (slotStart[index] != start) {
            slotStart[index] = start;
            calls[index] = 0;
            retries[index] = 0;
        }
        return index;
    }
}
