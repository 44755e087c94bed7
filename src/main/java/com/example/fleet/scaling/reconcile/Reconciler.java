package com.example.fleet.scaling.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.load.LoadEndpoint;
import com.example.fleet.load.LoadReader;
import com.example.fleet.registration.ConsulRegistrar;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.actuation.Actuator;
import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.scaling.leadership.LeaderElection;
import com.example.fleet.scaling.policy.PolicyWatch;
import com.example.fleet.scaling.policy.ReplicaPolicy;
import com.example.fleet.tracing.Tracing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The leader's loop: on every policy or leadership change and every {@code reconcile-interval} it reads the fleet
 * from Consul, reports anomalies, decides ({@link ScalingDecision}), acts through the configured {@link Actuator}
 * and verifies the outcome ({@link ScalingVerifier}) before the next decision. Runs on one thread of its own, so
 * reconciles never overlap and actuators may block; only the leader runs it. Each pass is one span, whose trace id
 * every audit line of the pass carries.
 */
@Startup // its metrics exist from the start, so an alert on their increase sees the first one
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final Duration CONSUL_BOUND = Duration.ofSeconds(10);

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
    ConsulClients clients;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry meters;
    @Inject
    Tracing tracing;
    @Inject
    LoadReader loadReader;
    @Inject
    LoadEndpoint loadEndpoint;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "fleet-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    private FleetAnomalyReporter anomalies;
    private ScalingVerifier verifier;
    private CandidateLoads candidateLoads;
    private volatile ScheduledFuture<?> periodic;
    /** The last decision audited; touched only on the reconciler thread. */
    private String lastDecision;

    @PostConstruct
    void init() {
        ScalingSettingsCheck.requireValid(settings, actuators.isResolvable());
        anomalies = new FleetAnomalyReporter(settings, audit, meters);
        verifier = new ScalingVerifier(settings, clients, vertx, audit, meters);
        candidateLoads = new CandidateLoads(loadReader, loadEndpoint, settings.loadReadTimeout());
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
        verifier.close();
    }

    /** Queues one reconcile; requests arriving while one waits are folded into it. */
    private void trigger() {
        if (queued.compareAndSet(false, true)) {
            thread.execute(() -> {
                queued.set(false);
                try {
                    tracing.inSpan("fleet reconcile", Map.of("fleet.service", settings.service()), this::reconcile);
                    lastConsulFailure = null;
                } catch (RuntimeException e) {
                    reportFailure(e);
                }
            });
        }
    }

    // only the reconcile thread touches it
    private boolean blind;
    // only the reconcile thread touches it: the last Consul failure said, so that an outage is said once
    private String lastConsulFailure;

    /**
     * Consul down, without servers, slow or refusing is the fleet's weather, not a bug: one WARN naming it per
     * outage, not a stack trace every interval. Anything else is a bug of this code, with its stack trace.
     */
    private void reportFailure(RuntimeException failure) {
        if (!ConsulErrors.isConsulSide(failure)) {
            LOG.errorf(failure, "Reconcile of %s failed; the next one retries", settings.service());
            return;
        }
        String said = ConsulErrors.describe(failure, "reconcile " + settings.service(), "the shipped policy's"
                + " service:read, node:read and key:write on service/" + settings.service() + "/",
                clients.tokenSource());
        if (!said.equals(lastConsulFailure)) {
            lastConsulFailure = said;
            LOG.warnf("%s; the next reconcile retries (said once until it changes or a reconcile succeeds)", said);
        }
    }

    private void reconcile() {
        Optional<ReplicaPolicy> policy = policies.state().policy();
        if (!election.isLeader() || policy.isEmpty() || !serving()) {
            return;
        }
        String traceId = audit.newTraceId();
        Actuator actuator = actuators.get();
        List<FleetMember> members = members();
        String self = registrar.status().instanceId().orElse("");
        if (!seesItself(members, self)) {
            return;
        }
        anomalies.reportGhosts(members, traceId);
        anomalies.reportUnregistered(members, actuator.running(), traceId);
        Optional<CandidateLoads.Read> loads = ScalingDecision.hasSurplus(policy.get(), members)
                ? Optional.of(candidateLoads.attach(members, self))
                : Optional.empty();
        ScalingDecision decision = ScalingDecision.decide(policy.get(),
                loads.map(CandidateLoads.Read::members).orElse(members), self);
        if (decision.changesNothing()) {
            lastDecision = null;
            return;
        }
        if (!actuator.changesTheFleet() && decision.summary().equals(lastDecision)) {
            // nothing acts on it: the same decision every interval would only repeat the audit line
            return;
        }
        lastDecision = decision.summary();
        audit.record(traceId, "scaling-decided", settings.service(), Optional.of(Integer.toString(decision.passing())),
                Optional.of(Integer.toString(decision.desired())), "policy " + policy.get().describe() + " vs "
                        + decision.passing() + " passing instances; actuator " + settings.actuator());
        if (decision.toStart() > 0) {
            actuator.scaleOut(decision.toStart(), traceId);
        } else {
            audit.record(traceId, "victims-chosen", settings.service(), Optional.empty(),
                    Optional.of(decision.victims().stream().map(FleetMember::id).collect(Collectors.joining(","))),
                    "order " + policy.get().scaleInOrder().wireName() + "; "
                            + loads.map(CandidateLoads.Read::describe).orElse("no load read")
                            + "; the leader never removes itself");
            actuator.scaleIn(decision.victims(), traceId);
        }
        if (actuator.changesTheFleet()) {
            verifier.verify(decision, traceId, this::serving);
            // the requests written for this pass go: a later instance with the same ID (address and port) must not
            // find one, nor a victim that did not leave, which the next pass may choose again
            decision.victims().forEach(victim -> consul.deleteValue(settings.drainKey(victim.id())).await()
                    .atMost(CONSUL_BOUND));
        }
    }

    /**
     * The leader is registered, so an answer without its own entry shows only part of the fleet: a token without
     * node:read (Consul then filters every entry out) or an entry not synced to the servers yet. Acting on it would
     * start instances that exist; so it waits, saying why once.
     */
    private boolean seesItself(List<FleetMember> members, String self) {
        boolean seen = members.stream().anyMatch(member -> member.id().equals(self));
        if (!seen && !blind) {
            LOG.warnf("Not scaling %s: Consul's answer (%d instance(s)) does not list this leader (%s) itself, so it"
                    + " shows only part of the fleet; the ACL token needs node:read and service:read on \"%s\", or"
                    + " the agent has not synced this instance's entry to the servers yet", settings.service(),
                    members.size(), self, settings.service());
        }
        blind = !seen;
        return seen;
    }

    /** A leader that is leaving has already left Consul: it would count itself missing and start a replacement. */
    private boolean serving() {
        return registrar.status().phase() == ConsulRegistrar.Phase.REGISTERED;
    }

    private List<FleetMember> members() {
        return ServiceHealth.read(consul, settings.service(), false, 0, settings.watchTiming()).await()
                .atMost(CONSUL_BOUND).value().stream().map(FleetMember::of).toList();
    }
}
