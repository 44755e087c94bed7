package com.example.fleet.scaling.actuation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.registration.InstanceRegistered;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The victim's side of the drain protocol: every instance watches its own drain key; when the leader writes it,
 * the instance shuts down gracefully (leaves Consul, waits for watchers, finishes in-flight requests, exits). Any
 * instance can be drained this way, whoever started it.
 */
@ApplicationScoped
public class DrainWatch {

    private static final Logger LOG = Logger.getLogger(DrainWatch.class);

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulClients clients;
    @Inject
    ConsulClient consul;
    @Inject
    AuditLog audit;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile String instanceId;
    private KeyWatch watch;

    void start(@ObservesAsync InstanceRegistered registered) {
        if (!settings.enabled() || !started.compareAndSet(false, true)) {
            return;
        }
        instanceId = registered.instanceId();
        String key = settings.drainKey(instanceId);
        watch = clients.watchKey(key, settings.watchTiming(),
                entry -> entry.ifPresent(this::drain), failure -> LOG.debugf("Watching %s failed: %s", key, failure))
                .start();
    }

    private void drain(KeyReader.Entry request) {
        if (draining.compareAndSet(false, true)) {
            String traceId = new String(request.value(), StandardCharsets.UTF_8).strip();
            LOG.infof("The leader asked %s to drain: leaving the fleet", instanceId);
            audit.record(traceId.matches("[0-9a-f]{32}") ? traceId : audit.newTraceId(), "drain-started",
                    settings.service(), Optional.of(instanceId), Optional.empty(), "drain key written by the leader");
            Quarkus.asyncExit();
        }
    }

    /** A restarted instance on the same address and port gets the same ID: its old drain request must not stay. */
    void stop(@Observes ShutdownEvent event) {
        if (watch == null) {
            return;
        }
        watch.close();
        if (draining.get()) {
            try {
                consul.deleteValue(settings.drainKey(instanceId)).await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("Could not delete %s: %s; the leader removes it after verifying", settings.drainKey(instanceId),
                        e.getMessage());
            }
        }
    }
}
