package com.example.fleet.scaling.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.testing.AuditCapture;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The leader's audit lines reach the fleet's trail in a real agent's KV; what goes wrong there fails no action, and
 * {@code /api/fleet/audit} says why it cannot read the trail.
 */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditRingTest {

    private static final String TRAIL = "service/fleet-service/audit";
    private static final String POLICY = "config/fleet-service/replicas";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final AuditCapture AUDIT = new AuditCapture(AuditLog.CATEGORY);
    @RegisterExtension
    static final AuditCapture RING_LOG = new AuditCapture(AuditRing.class.getName());

    private static ConsulApi consul() {
        return new ConsulApi(ConsulTestResource.agent().address());
    }

    private static List<String> storedEvents() {
        return consul().key(TRAIL).map(JsonArray::new).orElse(new JsonArray()).stream()
                .map(entry -> ((JsonObject) entry).getString("event")).toList();
    }

    private static String instanceId() {
        return "fleet-service-127.0.0.1-" + RestAssured.port;
    }

    @Test
    @Order(1)
    void theLeadersLinesReachTheTrailAsTheyWereLogged() {
        // the only instance leads
        await().atMost(WAIT).until(() -> storedEvents().contains("leader-acquired"));
        consul().putKey(POLICY, "{\"replicas\":1}");
        await().atMost(WAIT).until(() -> storedEvents().contains("policy-changed"));

        JsonObject logged = AUDIT.lines("policy-changed").get(0);
        JsonObject stored = new JsonArray(consul().key(TRAIL).orElseThrow()).stream().map(JsonObject.class::cast)
                .filter(event -> "policy-changed".equals(event.getString("event"))).findFirst().orElseThrow();
        assertThat(stored).isEqualTo(logged);
        assertThat(stored.getString("instance")).isEqualTo(instanceId());
    }

    @Test
    @Order(2)
    void aValueThatIsNoTrailIsReplacedByTheNextEventsWithAWarning() {
        for (String bad : List.of("not a trail", "[" + "{\"event\":\"e\"},".repeat(30_000) + "{\"event\":\"e\"}]")) {
            consul().putKey(TRAIL, bad);
            int before = AUDIT.lines("policy-changed").size();
            long warnings = unreadableWarnings();
            consul().putKey(POLICY, "{\"replicas\":" + (before + 2) + "}");

            // replaced: the change is the oldest event stored (the leader's decision on it may follow)
            await().atMost(WAIT).until(() -> !storedEvents().isEmpty() && storedEvents().get(0).equals("policy-changed"));
            assertThat(storedEvents()).doesNotContain("e", "leader-acquired");
            assertThat(unreadableWarnings()).isEqualTo(warnings + 1);
        }
    }

    @Test
    @Order(3)
    void whileConsulIsDownTheLeaderStillStepsDownWithOneWarningAndItsLineIsLogged() {
        ConsulTestResource.agent().stop();
        try {
            // a leader renews at least every 2.5 s here and steps down at the first renewal that fails
            await().atMost(WAIT).until(() -> AUDIT.lines("leader-lost").size() == 1);
            await().atMost(WAIT).until(() -> RING_LOG.messages().stream()
                    .anyMatch(message -> message.contains("Consul agent unreachable while trying to add 1 audit event(s)"
                            + " to " + TRAIL)));
            assertThat(RING_LOG.messages()).filteredOn(message -> message.contains("unreachable")).hasSize(1);
            // and the trail cannot be read: the page's endpoint says why
            given().get("/api/fleet/audit").then().statusCode(503).contentType("application/json")
                    .body("error", equalTo("Consul agent unreachable while trying to read " + TRAIL
                            + " (connection refused)"));
        } finally {
            ConsulTestResource.agent().restart();
        }
        // a dev agent restarts empty: the instance registers again, leads again, and writes a new trail
        await().atMost(Duration.ofSeconds(60)).until(() -> storedEvents().contains("leader-acquired"));
        assertThat(RING_LOG.messages()).contains("Audit events reach " + TRAIL + " again");
    }

    private static long unreadableWarnings() {
        return RING_LOG.messages().stream().filter(message -> message.startsWith(TRAIL + ": ")
                && message.contains("the next audit event replaces it")).count();
    }
}
