package com.example.fleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;

class AuditLogTest {

    @Test
    void usesTheCurrentOpenTelemetryTraceIdInsideASpan() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Span span = Span.wrap(SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            assertThat(AuditLog.newTraceId()).isEqualTo(traceId);
        }
    }

    @Test
    void generatesADistinctTraceIdOutsideASpan() {
        String first = AuditLog.newTraceId();
        assertThat(first).matches("[0-9a-f]{32}").isNotEqualTo(AuditLog.newTraceId());
    }
}
