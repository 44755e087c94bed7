package com.example.fleet.balancing.rules;

import java.time.Instant;
import java.util.Optional;

/**
 * What the peak-ewma balancer currently thinks of one instance.
 *
 * @param estimateMillis the latency estimate it balances on, failures included as penalties
 * @param inFlight calls started and not yet ended
 * @param consecutiveFailures failed calls in a row since the last success, answer or ejection
 * @param timesEjected ejections for failures that lengthen the next one: one per ejection, less one per
 *        {@code ejection-base} spent back in rotation since
 * @param ejectedUntil when the instance becomes selectable again after refusing connections or failing too often,
 *        if it is ejected
 * @param oldestOpenCallMillis how long its oldest call still open has run (0: none open)
 * @param avoided why selections avoid it now, if they do (see {@link #avoidedBecause})
 */
public record InstanceLoad(double estimateMillis, int inFlight, int consecutiveFailures, int timesEjected,
        Optional<Instant> ejectedUntil, long oldestOpenCallMillis, Optional<String> avoided) {

    /**
     * Why selections avoid the instance now, in a few words, or empty: ejected; penalised with its probe out (one
     * call at a time after a failed or abandoned one); or slow because a call has been open longer than replies
     * take, which then counts as its latency.
     */
    public static Optional<String> avoidedBecause(Optional<Instant> ejectedUntil, boolean penalised, int inFlight,
            long oldestOpenCallMillis, double repliesMillis) {
        if (ejectedUntil.isPresent()) {
            return Optional.of("ejected until " + ejectedUntil.get());
        }
        if (penalised) {
            return Optional.of(inFlight > 0 ? "probing: one call at a time since a failed or abandoned one"
                    : "penalised: its next call is a probe");
        }
        if (oldestOpenCallMillis > repliesMillis) {
            return Optional.of("slow: a call open for " + oldestOpenCallMillis + " ms counts as its latency");
        }
        return Optional.empty();
    }
}
