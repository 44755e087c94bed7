package com.example.fleet.tracing;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.arc.properties.IfBuildProperty;

/** With the tracing build switch: spans through OpenTelemetry, and the current span's trace id for audit lines. */
@ApplicationScoped
@IfBuildProperty(name = "fleet.tracing", stringValue = "true")
public class OpenTelemetryTracing implements Tracing {

    @Inject
    Tracer tracer;

    private final RandomTraceIds outsideSpans = new RandomTraceIds();

    @Override
    public String traceId() {
        SpanContext current = Span.current().getSpanContext();
        return current.isValid() ? current.getTraceId() : outsideSpans.traceId();
    }

    @Override
    public void inSpan(String name, Map<String, String> attributes, Runnable work) {
        SpanBuilder builder = tracer.spanBuilder(name);
        attributes.forEach(builder::setAttribute);
        Span span = builder.startSpan();
        try (Scope current = span.makeCurrent()) {
            work.run();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
