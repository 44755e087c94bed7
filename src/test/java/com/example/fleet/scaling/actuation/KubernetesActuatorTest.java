package com.example.fleet.scaling.actuation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.registration.ConsulRegistrar;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.testing.AuditCapture;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;
import com.example.fleet.testing.RecordedSpans;
import com.example.fleet.tracing.RandomTraceIds;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.CheckStatus;

/**
 * The kubernetes actuator against the Kubernetes mock server (no API server can run here), in CRUD mode, with
 * this application as the leader that reconciles through it.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(KubernetesActuatorTest.KubernetesActuatorProfile.class)
class KubernetesActuatorTest {

    private static final String POLICY_KEY = "config/fleet-service/replicas";
    private static final RandomTraceIds TRACE_IDS = new RandomTraceIds();
    @RegisterExtension
    static final AuditCapture AUDIT = new AuditCapture(AuditLog.CATEGORY);

    public static class KubernetesActuatorProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // both build switches on: the actuator and the reconcile's span are in this application
            return Map.of("fleet.kubernetes", "true", "fleet.tracing", "true", "fleet.scaling.actuator", "kubernetes",
                    "fleet.scaling.reconcile-interval", "1s",
                    "fleet.scaling.verify-timeout", "5s", "fleet.scaling.lock-delay", "1s",
                    "quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "100ms");
        }
    }

    @Inject
    KubernetesActuator actuator;

    @Inject
    KubernetesClient client;

    @Inject
    ConsulRegistrar registrar;

    @Inject
    RecordedSpans spans;

    @BeforeEach
    void deploymentWithThreePods() {
        client.apps().deployments().withName("fleet-service").delete();
        client.pods().delete();
        client.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName("fleet-service")
                .endMetadata().withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "fleet-service")
                .endSelector().endSpec().build()).create();
        for (int i = 1; i <= 3; i++) {
            createPod("fleet-service-" + i, "10.0.0." + i, "Running", Instant.now().minus(Duration.ofHours(1)));
        }
    }

    private void createPod(String name, String ip, String phase, Instant started) {
        client.pods().resource(new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "fleet-service")
                .endMetadata().withNewStatus().withPodIP(ip).withPhase(phase).withStartTime(started.toString())
                .endStatus().build()).create();
    }

    private static FleetMember member(String address) {
        return new FleetMember("fleet-service-" + address + "-8080", address, 8080, OptionalInt.empty(),
                CheckStatus.PASSING, Optional.empty());
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
        actuator.scaleIn(List.of(member("10.0.0.2")), TRACE_IDS.traceId());

        assertThat(annotations("fleet-service-2")).containsEntry(KubernetesActuator.DELETION_COST,
                Integer.toString(Integer.MIN_VALUE));
        assertThat(annotations("fleet-service-1")).doesNotContainKey(KubernetesActuator.DELETION_COST);
        assertThat(annotations("fleet-service-3")).doesNotContainKey(KubernetesActuator.DELETION_COST);
        assertThat(replicas()).isEqualTo(2);
    }

    @Test
    void scaleOutRaisesTheReplicasOfTheDeployment() {
        actuator.scaleOut(2, TRACE_IDS.traceId());
        assertThat(replicas()).isEqualTo(5);
    }

    @Test
    void theLeaderReportsRunningPodsThatAreMissingFromConsul() {
        await().atMost(Duration.ofSeconds(30)).until(() -> registrar.status().phase() == ConsulRegistrar.Phase.REGISTERED);
        String ownAddress = ownRegisteredAddress();
        client.pods().delete();
        createPod("fleet-service-self", ownAddress, "Running", Instant.now().minus(Duration.ofHours(1)));
        createPod("fleet-service-lost", "10.0.0.9", "Running", Instant.now().minus(Duration.ofHours(1)));
        createPod("fleet-service-young", "10.0.0.10", "Running", Instant.now().plus(Duration.ofHours(1)));
        createPod("fleet-service-pending", "10.0.0.11", "Pending", Instant.now().minus(Duration.ofHours(1)));
        ConsulApi consul = new ConsulApi(ConsulTestResource.agent().address());
        // one replica: this instance; the leader has nothing to scale, only the pods to compare
        consul.putKey(POLICY_KEY, "1");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !audit("unregistered-instance").isEmpty());
            // through several more reconciles (one a second): only the lost pod is reported, and once
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15))
                    .until(() -> audit("unregistered-instance").size() == 1);
            assertThat(audit("unregistered-instance").get(0).getString("old")).isEqualTo("fleet-service-lost");
            // the line was written inside the reconcile's span, and carries its trace id
            String traceId = audit("unregistered-instance").get(0).getString("traceId");
            await().atMost(Duration.ofSeconds(10)).until(() -> spans.named("fleet reconcile").stream()
                    .anyMatch(span -> span.getTraceId().equals(traceId)));
            assertThat(replicas()).isEqualTo(3);
        } finally {
            consul.deleteKey(POLICY_KEY);
        }
    }

    private String ownRegisteredAddress() {
        return new ConsulApi(ConsulTestResource.agent().address()).health("fleet-service").stream()
                .map(JsonObject.class::cast).map(entry -> entry.getJsonObject("Service").getString("Address"))
                .findFirst().orElseThrow();
    }

    private static List<JsonObject> audit(String event) {
        return AUDIT.lines(event);
    }

    @Test
    void aVictimWithoutAPodLeavesTheChoiceToTheReplicaSet() {
        actuator.scaleIn(List.of(member("10.9.9.9")), TRACE_IDS.traceId());
        assertThat(List.of(1, 2, 3)).allSatisfy(
                i -> assertThat(annotations("fleet-service-" + i)).doesNotContainKey(KubernetesActuator.DELETION_COST));
        assertThat(replicas()).isEqualTo(2);
    }
}
