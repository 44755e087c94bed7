package com.example.fleet.tracing;

import java.util.Map;

/**
 * Trace ids for the audit lines, and spans for the operations worth a trace. Without the tracing build switch
 * ({@code -Dfleet.tracing=true}) there is no tracer: {@link RandomTraceIds} gives every operation an id of the
 * same form, and OpenTelemetry's classes are not even loaded.
 */
public interface Tracing {

    /** The trace id for the lines of one operation: the current span's when one is open, else a new one. */
    String traceId();

    /** Runs {@code work} as one span named {@code name}; a failure is recorded on the span and thrown on. */
    void inSpan(String name, Map<String, String> attributes, Runnable work);
}
