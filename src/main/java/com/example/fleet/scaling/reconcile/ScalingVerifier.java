package com.example.fleet.scaling.reconcile;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.example.fleet.consul.BlockingQueryLoop;
import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * After a scaling action, waits until Consul shows what the decision leads to (as many passing instances, none of
 * the victims) and audits the outcome. It follows the service with a blocking query from the last index, so it sees
 * each change as Consul makes it; after {@code verify-timeout} it gives up with an ERROR and
 * {@code fleet_scaling_verification_failures_total}, and the next reconcile decides again. Used by the
 * {@link Reconciler}, on its thread.
 */
final class ScalingVerifier {

    private static final Logger LOG = Logger.getLogger(ScalingVerifier.class);

    private final ScalingSettings settings;
    private final ConsulClients clients;
    private final Vertx vertx;
    private final AuditLog audit;
    private final Counter failures;
    /** Created by the first verification (only leaders verify). */
    private ConsulClient watchClient;

    /** Registers the failure counter at once, so an alert on its increase sees the first failure. */
    ScalingVerifier(ScalingSettings settings, ConsulClients clients, Vertx vertx, AuditLog audit, MeterRegistry meters) {
        this.settings = settings;
        this.clients = clients;
        this.vertx = vertx;
        this.audit = audit;
        this.failures = Counter.builder("fleet.scaling.verification.failures")
                .description("scaling actions after which Consul did not show the expected fleet").register(meters);
    }

    void close() {
        if (watchClient != null) {
            watchClient.close();
        }
    }

    /**
     * Blocks the calling thread until Consul shows the fleet {@code decision} leads to, {@code verify-timeout}
     * passes, or {@code serving} turns false (a leader that is leaving has nothing left to verify).
     */
    void verify(ScalingDecision decision, String traceId, BooleanSupplier serving) {
        ConsulClient client = watchClient();
        // empty: the leader stopped serving before Consul converged
        CompletableFuture<Optional<List<FleetMember>>> outcome = new CompletableFuture<>();
        AtomicReference<List<FleetMember>> lastSeen = new AtomicReference<>(List.of());
        BlockingQueryLoop<List<HealthEntry>> watch = new BlockingQueryLoop<>(vertx,
                index -> ServiceHealth.read(client, settings.service(), false, index, settings.watchTiming()),
                settings.watchTiming(), answer -> {
                    List<FleetMember> members = answer.value().stream().map(FleetMember::of).toList();
                    lastSeen.set(members);
                    if (!serving.getAsBoolean()) {
                        outcome.complete(Optional.empty());
                    } else if (decision.isMetBy(members)) {
                        outcome.complete(Optional.of(members));
                    }
                }, failure -> LOG.debugf("Verification of %s: %s; retrying", settings.service(),
                        ConsulErrors.describe(failure, "read the instances", "service:read and node:read",
                                clients.tokenSource())));
        watch.start();
        try {
            outcome.get(settings.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS).ifPresent(members -> audit.record(
                    traceId, "scaling-verified", settings.service(), Optional.empty(), Optional.of(passingIds(members)),
                    "Consul shows the expected " + decision.expectedPassing() + " passing instances"));
        } catch (TimeoutException e) {
            failed(decision, traceId, lastSeen.get());
        } catch (InterruptedException e) {
            // the application is stopping
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the verification's outcome is only ever completed normally", e);
        } finally {
            watch.stop();
        }
    }

    private void failed(ScalingDecision decision, String traceId, List<FleetMember> members) {
        failures.increment();
        LOG.errorf("Scaling %s did not converge within %s: expected %d passing instances without %s, Consul shows %s",
                settings.service(), settings.verifyTimeout(), decision.expectedPassing(), decision.victimIds(),
                passingIds(members));
        audit.record(traceId, "scaling-verification-failed", settings.service(), Optional.empty(),
                Optional.of(passingIds(members)), "expected " + decision.expectedPassing()
                        + " passing instances without " + decision.victimIds());
    }

    private ConsulClient watchClient() {
        if (watchClient == null) {
            // its read timeout covers the blocking queries' wait
            watchClient = clients.forWatch(settings.watchTiming());
        }
        return watchClient;
    }

    private static String passingIds(List<FleetMember> members) {
        return members.stream().filter(FleetMember::passing).map(FleetMember::id).sorted()
                .collect(Collectors.joining(","));
    }
}
