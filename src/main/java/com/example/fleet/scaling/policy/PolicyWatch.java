package com.example.fleet.scaling.policy;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Watches the replica policy key with a blocking query on every instance and keeps the effective policy: a valid
 * new value replaces it, an invalid one is rejected with its reason and changes nothing, a deleted key leaves no
 * policy (the leader then does not act). Every change and rejection is audited.
 */
@ApplicationScoped
public class PolicyWatch {

    private static final Logger LOG = Logger.getLogger(PolicyWatch.class);

    /** Why the last value was refused. */
    public record Rejection(String reason, long modifyIndex, Instant at) {
    }

    /**
     * The effective policy, where it came from, and the last refused value (which did not change the policy).
     *
     * @param policy empty while the key does not exist (or before Consul answered)
     */
    public record State(Optional<ReplicaPolicy> policy, String source, long modifyIndex,
            Optional<Rejection> lastRejection) {
    }

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulClients clients;
    @Inject
    AuditLog audit;
    @Inject
    Event<PolicyChanged> changed;

    /** The effective policy changed (or went away). */
    public record PolicyChanged(Optional<ReplicaPolicy> policy) {
    }

    private final AtomicReference<State> state = new AtomicReference<>(
            new State(Optional.empty(), "no answer from Consul yet", 0, Optional.empty()));
    private volatile String lastProblem;
    private KeyWatch watch;

    void start(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        watch = clients.watchKey(settings.policyKey(), settings.watchTiming(),
                this::onAnswer, this::onFailure).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (watch != null) {
            watch.close();
        }
    }

    public State state() {
        return state.get();
    }

    private void onAnswer(Optional<KeyReader.Entry> entry) {
        lastProblem = null;
        State current = state.get();
        String key = settings.policyKey();
        if (entry.isEmpty()) {
            if (current.modifyIndex() != -1) {
                state.set(new State(Optional.empty(), "key " + key + " does not exist", -1, current.lastRejection()));
                if (current.policy().isPresent()) {
                    audit.record(audit.newTraceId(), "policy-removed", settings.service(),
                            current.policy().map(ReplicaPolicy::toJson), Optional.empty(), "key " + key + " deleted");
                    changed.fireAsync(new PolicyChanged(Optional.empty()));
                }
            }
            return;
        }
        long modifyIndex = entry.get().modifyIndex();
        if (modifyIndex == current.modifyIndex()
                || current.lastRejection().map(r -> r.modifyIndex() == modifyIndex).orElse(false)) {
            // a blocking query also returns when something else changed: this value was handled already
            return;
        }
        String traceId = audit.newTraceId();
        try {
            ReplicaPolicy policy = ReplicaPolicyParser.parse(entry.get().value());
            state.set(new State(Optional.of(policy), "key " + key + " at ModifyIndex " + modifyIndex, modifyIndex,
                    current.lastRejection()));
            if (!current.policy().equals(Optional.of(policy))) {
                LOG.infof("Replica policy of %s: %s", settings.service(), policy.describe());
                audit.record(traceId, "policy-changed", settings.service(), current.policy().map(ReplicaPolicy::toJson),
                        Optional.of(policy.toJson()), "key " + key + " changed");
                changed.fireAsync(new PolicyChanged(Optional.of(policy)));
            }
        } catch (InvalidPolicyException e) {
            state.set(new State(current.policy(), current.source(), current.modifyIndex(),
                    Optional.of(new Rejection(e.getMessage(), modifyIndex, Instant.now()))));
            LOG.warnf("Rejected the value of %s (ModifyIndex %d): %s; the policy in force stays %s", key, modifyIndex,
                    e.getMessage(), current.policy().map(ReplicaPolicy::describe).orElse("none"));
            audit.record(traceId, "policy-rejected", settings.service(), current.policy().map(ReplicaPolicy::toJson),
                    current.policy().map(ReplicaPolicy::toJson), e.getMessage());
        }
    }

    private void onFailure(Throwable failure) {
        String problem = ConsulErrors.describe(failure, "watch " + settings.policyKey(),
                "key:read on \"" + settings.policyKey() + "\"", clients.tokenSource());
        if (!problem.equals(lastProblem)) {
            LOG.warnf("%s; the policy in force stays, retrying", problem);
        }
        lastProblem = problem;
    }
}
