package com.example.fleet.balancing;

import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link PeakEwmaLoadBalancer} currently thinks of one instance.
 *
 * @param estimateMillis the latency estimate it balances on, failures included as penalties
 * @param inFlight calls started and not yet ended
 * @param consecutiveFailures failed calls in a row since the last success, answer or ejection
 * @param timesEjected ejections for failures that lengthen the next one: one per ejection, less one per
 *        {@code ejection-base} spent back in rotation since
 * @param ejectedUntil when the instance becomes selectable again after refusing connections or failing too often,
 *        if it is ejected
 */
public record InstanceLoad(double estimateMillis, int inFlight, int consecutiveFailures, int timesEjected,
        Optional<Instant> ejectedUntil) {
}
