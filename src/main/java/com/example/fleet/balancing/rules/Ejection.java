package com.example.fleet.balancing.rules;

import java.util.Locale;

/**
 * An instance left out of the selections until {@code untilNanos}, and how many failure ejections lengthen its next
 * one. Immutable, so that one volatile read tells a selection all it needs.
 *
 * @param count the failure ejections so far, less those already forgiven (see {@link #countAt})
 */
public record Ejection(long untilNanos, Reason reason, int count) {

    /** Why an instance was ejected; the tag of the ejection counter. */
    public enum Reason {
        /** {@code consecutive-failures} failed calls in a row. */
        FAILURES,
        /** It refused a connection: nobody listens there any more. */
        REFUSED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean activeAt(long now) {
        return now - untilNanos < 0;
    }

    /**
     * The count that lengthens the next ejection: one less per {@code baseNanos} spent back in rotation since this
     * ejection ended. Envoy takes one off per detection interval in which the host stays in; without a timer, the
     * same is computed when it matters.
     */
    public int countAt(long now, long baseNanos) {
        if (activeAt(now)) {
            return count;
        }
        long forgiven = (now - untilNanos) / baseNanos;
        return (int) Math.max(0, count - forgiven);
    }
}
