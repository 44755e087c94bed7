package com.example.fleet.scaling.actuation;

import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.RunningInstance;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Actuator {@code kubernetes}: scales the service's Deployment through its scale subresource. For scale-in it
 * first marks the chosen pods (found by the address they registered in Consul) with the lowest
 * {@value #DELETION_COST} so that the ReplicaSet removes them first; the pods then shut down gracefully on
 * SIGTERM (leave Consul, wait, drain). The annotation is best effort on Kubernetes' side: a pod that is not
 * ready is still removed before them. Only in a build with {@code -Dfleet.kubernetes=true}: elsewhere its client is not
 * in the application.
 */
@ApplicationScoped
@IfBuildProperty(name = ActuatorName.BUILD_SWITCH, stringValue = "true")
@LookupIfProperty(name = ActuatorName.PROPERTY, stringValue = ActuatorName.KUBERNETES)
public class KubernetesActuator implements Actuator {

    static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
    /** The lowest int32: below any cost someone else may have set. */
    static final String FIRST_TO_GO = Integer.toString(Integer.MIN_VALUE);

    @Inject
    Instance<KubernetesClient> clients;
    @Inject
    ScalingSettings settings;
    @Inject
    AuditLog audit;

    @Override
    public void scaleOut(int count, String traceId) {
        int current = replicas();
        scaleTo(current, current + count, traceId, "scale-out");
    }

    @Override
    public void scaleIn(List<FleetMember> victims, String traceId) {
        List<Pod> pods = pods();
        for (FleetMember victim : victims) {
            Optional<Pod> pod = pods.stream()
                    .filter(candidate -> victim.address().equals(candidate.getStatus().getPodIP())).findFirst();
            if (pod.isEmpty()) {
                audit.record(traceId, "pod-not-found", settings.service(), Optional.of(victim.id()), Optional.empty(),
                        "no pod of deployment " + namespace() + "/" + name() + " has IP " + victim.address()
                                + "; the ReplicaSet chooses");
                continue;
            }
            String name = pod.get().getMetadata().getName();
            clients.get().pods().inNamespace(namespace()).withName(name).edit(p -> new PodBuilder(p).editMetadata()
                    .addToAnnotations(DELETION_COST, FIRST_TO_GO).endMetadata().build());
            audit.record(traceId, "pod-marked", settings.service(), Optional.of(victim.id()), Optional.of(name),
                    DELETION_COST + "=" + FIRST_TO_GO);
        }
        int current = replicas();
        scaleTo(current, current - victims.size(), traceId, "scale-in");
    }

    /**
     * Running pods of the Deployment that have an IP: each must register with it. Pods that are still starting or
     * already terminating are left out.
     */
    @Override
    public List<RunningInstance> running() {
        return pods().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null
                        && "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getPodIP() != null
                        && pod.getStatus().getStartTime() != null)
                .map(pod -> new RunningInstance(pod.getMetadata().getName(), Optional.of(pod.getStatus().getPodIP()),
                        OptionalInt.empty(), Instant.parse(pod.getStatus().getStartTime())))
                .toList();
    }

    /** The Deployment's pods that have a status, found by its label selector. */
    private List<Pod> pods() {
        Deployment deployment = deployment().get();
        if (deployment == null) {
            throw new IllegalStateException("deployment " + namespace() + "/" + name() + " does not exist");
        }
        LabelSelector selector = deployment.getSpec().getSelector();
        return clients.get().pods().inNamespace(namespace()).withLabelSelector(selector).list().getItems().stream()
                .filter(pod -> pod.getStatus() != null).toList();
    }

    private void scaleTo(int before, int replicas, String traceId, String why) {
        deployment().scale(Math.max(0, replicas));
        audit.record(traceId, "deployment-scaled", settings.service(), Optional.of(Integer.toString(before)),
                Optional.of(Integer.toString(replicas)), why + " of deployment " + namespace() + "/" + name());
    }

    private int replicas() {
        return deployment().scale().getSpec().getReplicas();
    }

    private RollableScalableResource<Deployment> deployment() {
        return clients.get().apps().deployments().inNamespace(namespace()).withName(name());
    }

    private String namespace() {
        return settings.kubernetes().namespace().orElseGet(() -> clients.get().getNamespace());
    }

    private String name() {
        return settings.kubernetes().deployment().orElse(settings.service());
    }
}
