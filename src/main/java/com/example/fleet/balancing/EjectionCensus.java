package com.example.fleet.balancing;

import com.example.fleet.balancing.Ejection.Reason;

/**
 * How many of one generation's candidates are ejected, counted at ejection version {@code version}, and until when
 * the count holds: it changes only when an ejection starts (which moves the version) or one it counted ends, so
 * selections read it in O(1) and take it again, in O(n), only after such a change.
 *
 * @param changes whether an ejection it counted ends, at {@code nextEndNanos}
 */
record EjectionCensus(long version, int ejected, int ejectedForFailures, boolean changes, long nextEndNanos) {

    static EjectionCensus take(Candidate[] all, long now, long version) {
        int ejected = 0;
        int forFailures = 0;
        boolean changes = false;
        long nextEnd = 0;
        for (Candidate candidate : all) {
            Ejection ejection = candidate.state().ejection();
            if (ejection != null && ejection.activeAt(now)) {
                ejected++;
                if (ejection.reason() == Reason.FAILURES) {
                    forFailures++;
                }
                if (!changes || ejection.untilNanos() - nextEnd < 0) {
                    nextEnd = ejection.untilNanos();
                    changes = true;
                }
            }
        }
        return new EjectionCensus(version, ejected, forFailures, changes, nextEnd);
    }

    boolean holdsAt(long now, long currentVersion) {
        return version == currentVersion && !(changes && now - nextEndNanos >= 0);
    }
}
