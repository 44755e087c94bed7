package com.example.fleet.support;

/**
 * A selected instance that tells whether its call is a probe: the one call at a time an instance avoided after a
 * failure gets until one succeeds. A caller that gives up slow tries for backups lets a probe run to its end
 * (within its timeout), because only its answer tells a slow instance (one just started, still warming up) from one
 * that never answers; a probe given up would leave the slow one avoided for good.
 */
public interface ProbeCall {

    /** Whether the call recorded as started on this instance is a probe. */
    boolean isProbe();
}
