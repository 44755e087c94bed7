package com.example.fleet.scaling.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.testing.AuditCapture;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** This application as the only instance, hence the leader, reconciling with the default actuator none. */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class ReconcilerTest {

    private static final String KEY = "config/fleet-service/replicas";
    @RegisterExtension
    static final AuditCapture AUDIT = new AuditCapture(AuditLog.CATEGORY);

    /** An instance of the service whose only check has the given status and never changes by itself. */
    private static JsonObject instance(String id, String status) {
        return new JsonObject().put("ID", id).put("Name", "fleet-service").put("Address", "127.0.0.1").put("Port", 9)
                .put("Check", new JsonObject().put("CheckID", id + ":ttl").put("TTL", "10m").put("Status", status));
    }

    @Test
    void aCriticalInstanceIsAGhostWhileAWarningOneIsNeitherCountedNorReported() {
        ConsulApi consul = new ConsulApi(ConsulTestResource.agent().address());
        consul.register(instance("fleet-service-warning", "warning"));
        consul.register(instance("fleet-service-critical", "critical"));
        try {
            consul.putKey(KEY, "2");

            await().atMost(Duration.ofSeconds(60)).until(() -> !AUDIT.lines("scaling-decided").isEmpty());
            // written in the same pass, before the decision
            List<String> ghosts = AUDIT.lines("ghost-detected").stream().map(line -> line.getString("old")).toList();
            assertThat(ghosts).containsExactly("fleet-service-critical");
            JsonObject decided = AUDIT.lines("scaling-decided").get(0);
            assertThat(decided.getString("old")).as("passing instances: only this one").isEqualTo("1");
            assertThat(decided.getString("new")).isEqualTo("2");
            assertThat(decided.getString("reason")).endsWith("actuator none");
        } finally {
            consul.deleteKey(KEY);
            consul.deregister("fleet-service-warning");
            consul.deregister("fleet-service-critical");
        }
    }
}
