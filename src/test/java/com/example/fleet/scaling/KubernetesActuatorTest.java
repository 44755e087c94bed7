package com.example.fleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.ConsulTestResource;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The kubernetes actuator against the Kubernetes mock server (no API server can run here), in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class KubernetesActuatorTest {

    @Inject
    KubernetesActuator actuator;

    @Inject
    KubernetesClient client;

    @BeforeEach
    void deploymentWithThreePods() {
        client.apps().deployments().withName("fleet-service").delete();
        client.pods().delete();
        client.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName("fleet-service")
                .endMetadata().withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "fleet-service")
                .endSelector().endSpec().build()).create();
        for (int i = 1; i <= 3; i++) {
            client.pods().resource(new PodBuilder().withNewMetadata().withName("fleet-service-" + i)
                    .addToLabels("app", "fleet-service").endMetadata().withNewStatus().withPodIP("10.0.0." + i)
                    .endStatus().build()).create();
        }
    }

    private static FleetMember member(String address) {
        return new FleetMember("fleet-service-" + address + "-8080", address, 8080, true, 0, 0, 0.0);
    }

    private Map<String, String> annotations(String pod) {
        Pod found = client.pods().withName(pod).get();
        return found.getMetadata().getAnnotations() == null ? Map.of() : found.getMetadata().getAnnotations();
    }

    private int replicas() {
        return client.apps().deployments().withName("fleet-service").get().getSpec().getReplicas();
    }

    @Test
    void scaleInMarksTheVictimsFirstToGoThenScalesDown() {
        actuator.scaleIn(List.of(member("10.0.0.2")), AuditLog.newTraceId());

        assertThat(annotations("fleet-service-2")).containsEntry(KubernetesActuator.DELETION_COST,
                Integer.toString(Integer.MIN_VALUE));
        assertThat(annotations("fleet-service-1")).doesNotContainKey(KubernetesActuator.DELETION_COST);
        assertThat(annotations("fleet-service-3")).doesNotContainKey(KubernetesActuator.DELETION_COST);
        assertThat(replicas()).isEqualTo(2);
    }

    @Test
    void scaleOutRaisesTheReplicasOfTheDeployment() {
        actuator.scaleOut(2, AuditLog.newTraceId());
        assertThat(replicas()).isEqualTo(5);
    }

    @Test
    void aVictimWithoutAPodLeavesTheChoiceToTheReplicaSet() {
        actuator.scaleIn(List.of(member("10.9.9.9")), AuditLog.newTraceId());
        assertThat(List.of(1, 2, 3)).allSatisfy(
                i -> assertThat(annotations("fleet-service-" + i)).doesNotContainKey(KubernetesActuator.DELETION_COST));
        assertThat(replicas()).isEqualTo(2);
    }
}
