package com.example.fleet.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;

class TracingTest {

    @Test
    void withTracingTheCurrentOpenTelemetryTraceIdIsUsedInsideASpan() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Span span = Span.wrap(SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.getDefault()));
        try (Scope ignored = span.makeCurrent()) {
            assertThat(new OpenTelemetryTracing().traceId()).isEqualTo(traceId);
        }
    }

    @Test
    void withTracingADistinctTraceIdIsGeneratedOutsideASpan() {
        OpenTelemetryTracing tracing = new OpenTelemetryTracing();
        assertThat(tracing.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(tracing.traceId());
    }

    @Test
    void withoutTracingEveryOperationGetsANewTraceIdOfTheSameForm() {
        RandomTraceIds tracing = new RandomTraceIds();
        assertThat(tracing.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(tracing.traceId());
    }

    @Test
    void withoutTracingTheWorkRunsAndItsFailureIsThrownOn() {
        RandomTraceIds tracing = new RandomTraceIds();
        StringBuilder ran = new StringBuilder();
        tracing.inSpan("work", Map.of(), () -> ran.append("ran"));
        assertThat(ran).hasToString("ran");
        assertThatThrownBy(() -> tracing.inSpan("work", Map.of(), () -> {
            throw new IllegalStateException("broken");
        })).hasMessage("broken");
    }
}
