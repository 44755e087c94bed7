package com.example.fleet.scaling.reconcile;

import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.RunningInstance;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The leader's report of instances whose Consul entry and process disagree: ghosts (registered, critical: the
 * process may be gone) and unregistered instances (running, missing from Consul: they take no traffic). Each is
 * reported once while it lasts, and again if it comes back after it was gone.
 */
final class FleetAnomalyReporter {

    private static final Logger LOG = Logger.getLogger(FleetAnomalyReporter.class);

    private final ScalingSettings settings;
    private final AuditLog audit;
    private final Set<String> reportedGhosts = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedUnregistered = ConcurrentHashMap.newKeySet();
    private final Counter unregisteredInstances;

    /** Registers the counter at once, so an alert on its increase sees the first one. */
    FleetAnomalyReporter(ScalingSettings settings, AuditLog audit, MeterRegistry meters) {
        this.settings = settings;
        this.audit = audit;
        this.unregisteredInstances = Counter.builder("fleet.scaling.unregistered.instances")
                .description("instances found running but missing from Consul").register(meters);
    }

    /**
     * Registered instances whose status is critical. A warning one is alive and is not reported: it merely does not
     * count for the policy.
     */
    void reportGhosts(List<FleetMember> registered, String traceId) {
        List<FleetMember> critical = registered.stream().filter(FleetMember::critical).toList();
        for (FleetMember member : critical) {
            if (reportedGhosts.add(member.id())) {
                LOG.warnf("%s is registered in Consul but its checks are critical: its process may be gone (a ghost"
                        + " until DeregisterCriticalServiceAfter removes it)", member.id());
                audit.record(traceId, "ghost-detected", settings.service(), Optional.of(member.id()), Optional.empty(),
                        "registered, checks critical");
            }
        }
        reportedGhosts.retainAll(critical.stream().map(FleetMember::id).collect(Collectors.toSet()));
    }

    /**
     * Instances the actuator sees running for longer than the verify timeout that Consul does not show at all:
     * they take no traffic from discovery and count for no policy.
     */
    void reportUnregistered(List<FleetMember> registered, List<RunningInstance> running, String traceId) {
        Instant startedBefore = Instant.now().minus(settings.verifyTimeout());
        List<RunningInstance> missing = running.stream()
                .filter(instance -> instance.since().isBefore(startedBefore) && !instance.isAmong(registered)).toList();
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
}
