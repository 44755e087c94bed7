package com.example.fleet.scaling.audit;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.registration.ConsulRegistrar;
import com.example.fleet.tracing.Tracing;

import io.vertx.core.json.JsonObject;

/**
 * One structured JSON line per policy change, rejection, leadership change or scaling action, on the logger
 * {@value #CATEGORY}, so that it can be routed to an audit sink by logging configuration alone. The leader's lines
 * also go to the fleet's trail in Consul ({@link AuditRing}), which every instance's fleet page shows.
 */
@ApplicationScoped
public class AuditLog {

    public static final String CATEGORY = "fleet.audit";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    @Inject
    ConsulRegistrar registrar;

    @Inject
    AuditRing ring;

    @Inject
    Tracing tracing;

    /**
     * The trace id for the lines of one operation: the current trace's when the operation runs inside a span,
     * else a new one of the same form (32 hex digits).
     */
    public String newTraceId() {
        return tracing.traceId();
    }

    /** Writes one line; {@code from} and {@code to} are the old and new state, as text or JSON. */
    public void record(String traceId, String event, String service, Optional<String> from, Optional<String> to,
            String reason) {
        JsonObject line = new JsonObject()
                .put("time", Instant.now().toString())
                .put("traceId", traceId)
                .put("event", event)
                .put("service", service)
                .put("instance", registrar.status().instanceId().orElse("unregistered"))
                .put("old", from.orElse(null))
                .put("new", to.orElse(null))
                .put("reason", reason);
        LOG.info(line.encode());
        ring.offer(event, line);
    }
}
