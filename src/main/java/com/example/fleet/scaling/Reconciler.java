package com.example.fleet.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.registration.ConsulRegistrar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The leader's loop: compares the policy with the passing instances in Consul, decides, acts through the
 * configured {@link Actuator}, and verifies that Consul shows the expected set before the next decision. Runs on
 * one thread of its own, so reconciles never overlap and actuators may block; only the leader runs it.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final Duration POLL = Duration.ofMillis(500);

    @Inject
    ScalingSettings settings;
    @Inject
    PolicyWatch policies;
    @Inject
    LeaderElection election;
    @Inject
    ConsulClient consul;
    @Inject
    ConsulRegistrar registrar;
    @Inject
    AuditLog audit;
    @Inject
    Instance<Actuator> actuators;
    @Inject
    MeterRegistry meters;
    @Inject
    Tracer tracer;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "fleet-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Set<String> reportedGhosts = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedUnregistered = ConcurrentHashMap.newKeySet();
    private volatile ScheduledFuture<?> periodic;
    private Counter verificationFailures;
    private Counter unregisteredInstances;
    /** Touched only on the reconciler thread. */
    private String lastDecision;

    @PostConstruct
    void registerMetrics() {
        verificationFailures = Counter.builder("fleet.scaling.verification.failures")
                .description("scaling actions after which Consul did not show the expected fleet").register(meters);
        unregisteredInstances = Counter.builder("fleet.scaling.unregistered.instances")
                .description("instances found running but missing from Consul").register(meters);
    }

    void onLeadership(@ObservesAsync LeaderElection.Leadership leadership) {
        if (leadership.leader()) {
            long every = settings.reconcileInterval().toMillis();
            periodic = thread.scheduleWithFixedDelay(this::trigger, 0, every, TimeUnit.MILLISECONDS);
        } else if (periodic != null) {
            periodic.cancel(false);
        }
    }

    void onPolicy(@ObservesAsync PolicyWatch.PolicyChanged changed) {
        trigger();
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
    }

    /** Queues one reconcile; requests arriving while one waits are folded into it. */
    private void trigger() {
        if (queued.compareAndSet(false, true)) {
            thread.execute(() -> {
                queued.set(false);
                // one span per reconcile: its trace id is the one every audit line of this pass carries
                Span span = tracer.spanBuilder("fleet reconcile").setAttribute("fleet.service", settings.service())
                        .startSpan();
                try (Scope current = span.makeCurrent()) {
                    reconcile();
                } catch (RuntimeException e) {
                    span.recordException(e);
                    span.setStatus(StatusCode.ERROR);
                    LOG.errorf(e, "Reconcile of %s failed; the next one retries", settings.service());
                } finally {
                    span.end();
                }
            });
        }
    }

    private void reconcile() {
        Optional<ReplicaPolicy> policy = policies.state().policy();
        if (!election.isLeader() || policy.isEmpty() || !serving()) {
            return;
        }
        String traceId = AuditLog.newTraceId();
        Actuator actuator = actuators.get();
        List<FleetMember> registered = members();
        reportGhosts(registered, traceId);
        reportUnregistered(registered, actuator, traceId);
        List<FleetMember> passing = registered.stream().filter(FleetMember::passing).toList();
        int desired = policy.get().replicas();
        String decision = passing.size() + "->" + desired;
        if (passing.size() == desired) {
            lastDecision = null;
            return;
        }
        if (!actuator.changesTheFleet() && decision.equals(lastDecision)) {
            // nothing acts on it: the same decision every interval would only repeat the audit line
            return;
        }
        lastDecision = decision;
        audit.record(traceId, "scaling-decided", settings.service(), Optional.of(Integer.toString(passing.size())),
                Optional.of(Integer.toString(desired)), "policy " + policy.get().describe() + " vs " + passing.size()
                        + " passing instances; actuator " + settings.actuator());
        if (desired > passing.size()) {
            actuator.scaleOut(desired - passing.size(), traceId);
            verify(actuator, traceId, desired, Set.of());
        } else {
            String self = registrar.status().instanceId().orElse("");
            List<FleetMember> victims = passing.stream().filter(member -> !member.id().equals(self))
                    .sorted(FleetMember.victimsFirst(policy.get().scaleInOrder()))
                    .limit(passing.size() - desired).toList();
            audit.record(traceId, "victims-chosen", settings.service(), Optional.empty(),
                    Optional.of(victims.stream().map(FleetMember::id).collect(Collectors.joining(","))),
                    "order " + policy.get().scaleInOrder().wireName() + "; the leader never removes itself");
            actuator.scaleIn(victims, traceId);
            verify(actuator, traceId, desired, victims.stream().map(FleetMember::id).collect(Collectors.toSet()));
            victims.forEach(victim -> consul.deleteValue(settings.drainKey(victim.id())).await()
                    .atMost(Duration.ofSeconds(5)));
        }
    }

    /** A leader that is leaving has already left Consul: it would count itself missing and start a replacement. */
    private boolean serving() {
        return registrar.status().phase() == ConsulRegistrar.Phase.REGISTERED;
    }

    /** Waits until Consul shows {@code desired} passing instances, none of them a victim; audits the outcome. */
    private void verify(Actuator actuator, String traceId, int desired, Set<String> victims) {
        if (!actuator.changesTheFleet()) {
            return;
        }
        Instant deadline = Instant.now().plus(settings.verifyTimeout());
        List<FleetMember> passing = List.of();
        while (Instant.now().isBefore(deadline) && !Thread.currentThread().isInterrupted() && serving()) {
            passing = members().stream().filter(FleetMember::passing).toList();
            boolean victimsGone = passing.stream().noneMatch(member -> victims.contains(member.id()));
            if (passing.size() == desired && victimsGone) {
                audit.record(traceId, "scaling-verified", settings.service(), Optional.empty(),
                        Optional.of(ids(passing)), "Consul shows the expected " + desired + " passing instances");
                return;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        verificationFailures.increment();
        LOG.errorf("Scaling %s did not converge within %s: expected %d passing instances without %s, Consul shows %s",
                settings.service(), settings.verifyTimeout(), desired, victims, ids(passing));
        audit.record(traceId, "scaling-verification-failed", settings.service(), Optional.empty(),
                Optional.of(ids(passing)), "expected " + desired + " passing instances without " + victims);
    }

    /** Registered instances whose checks are not passing: their process may be gone. Reported once each. */
    private void reportGhosts(List<FleetMember> registered, String traceId) {
        for (FleetMember member : registered) {
            if (!member.passing() && reportedGhosts.add(member.id())) {
                LOG.warnf("%s is registered in Consul but its checks fail: its process may be gone (a ghost until"
                        + " DeregisterCriticalServiceAfter removes it)", member.id());
                audit.record(traceId, "ghost-detected", settings.service(), Optional.of(member.id()), Optional.empty(),
                        "registered, checks not passing");
            }
        }
        reportedGhosts.retainAll(registered.stream().filter(member -> !member.passing()).map(FleetMember::id)
                .collect(Collectors.toSet()));
    }

    /**
     * Instances the actuator sees running for longer than the verify timeout that Consul does not show at all:
     * they take no traffic from discovery and count for no policy. Reported once each, until they appear or end.
     */
    private void reportUnregistered(List<FleetMember> registered, Actuator actuator, String traceId) {
        Instant startedBefore = Instant.now().minus(settings.verifyTimeout());
        List<RunningInstance> missing = actuator.running().stream()
                .filter(running -> running.since().isBefore(startedBefore) && !running.isAmong(registered)).toList();
        for (RunningInstance instance : missing) {
            if (reportedUnregistered.add(instance.name())) {
                unregisteredInstances.increment();
                LOG.warnf("%s has run since %s but is not registered in Consul: it takes no traffic. Look at its log;"
                        + " stop it if it hangs", instance.name(), instance.since());
                audit.record(traceId, "unregistered-instance", settings.service(), Optional.of(instance.name()),
                        Optional.empty(), "runs since " + instance.since() + ", missing from Consul");
            }
        }
        reportedUnregistered.retainAll(missing.stream().map(RunningInstance::name).collect(Collectors.toSet()));
    }

    private List<FleetMember> members() {
        return ServiceHealth.read(consul, settings.service(), false, 0, settings.watchTiming()).await()
                .atMost(Duration.ofSeconds(10)).value().stream().map(FleetMember::of).toList();
    }

    private static String ids(List<FleetMember> members) {
        return members.stream().map(FleetMember::id).sorted().collect(Collectors.joining(","));
    }
}
