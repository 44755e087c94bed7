package com.example.fleet.balancing;

import com.example.fleet.balancing.rules.Ejection;
import com.example.fleet.balancing.rules.Ejection.Reason;

/**
 * How many of one generation's candidates are ejected, and how many are unhealthy (ejected or failing, see
 * {@link InstanceState#failingAt}), counted at ejection version {@code version}, and until when the count holds:
 * it changes only when an ejection starts or a run of failures reaches or leaves the failing length (each moves
 * the version), or when an ejection or a failing spell it counted ends. So selections read it in O(1) and take it
 * again, in O(n), only after such a change.
 *
 * @param changes whether an ejection or failing spell it counted ends, at {@code nextEndNanos}
 */
record EjectionCensus(long version, int ejected, int ejectedForFailures, int unhealthy, boolean changes,
        long nextEndNanos) {

    /** @param failingNanos how long after its last failure an instance in a failing run counts as unhealthy */
    static EjectionCensus take(Candidate[] all, long now, long version, long failingNanos) {
        int ejected = 0;
        int forFailures = 0;
        int unhealthy = 0;
        boolean changes = false;
        long nextEnd = 0;
        for (Candidate candidate : all) {
            InstanceState state = candidate.state();
            Ejection ejection = state.ejection();
            long end;
            if (ejection != null && ejection.activeAt(now)) {
                ejected++;
                if (ejection.reason() == Reason.FAILURES) {
                    forFailures++;
                }
                end = ejection.untilNanos();
            } else if (state.failingAt(now, failingNanos)) {
                end = state.lastFailureNanos() + failingNanos;
            } else {
                continue;
            }
            unhealthy++;
            if (!changes || end - nextEnd < 0) {
                nextEnd = end;
                changes = true;
            }
        }
        return new EjectionCensus(version, ejected, forFailures, unhealthy, changes, nextEnd);
    }

    boolean holdsAt(long now, long currentVersion) {
        return version == currentVersion && !(changes && now - nextEndNanos >= 0);
    }
}
