package com.example.fleet.balancing;

import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link PeakEwmaLoadBalancer} currently thinks of one instance.
 *
 * @param estimateMillis the latency estimate it balances on, failures included as penalties
 * @param inFlight calls started and not yet ended
 * @param ejectedUntil when the instance becomes selectable again after refusing connections, if it is ejected
 */
public record InstanceLoad(double estimateMillis, int inFlight, Optional<Instant> ejectedUntil) {
}
