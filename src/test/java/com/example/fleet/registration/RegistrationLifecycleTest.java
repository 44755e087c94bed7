package com.example.fleet.registration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrationLifecycleTest {

    private static final Duration TTL = Duration.ofSeconds(3);

    private ConsulApi consul() {
        return new ConsulApi(ConsulTestResource.agent().address());
    }

    private String instanceId() {
        return "fleet-service-127.0.0.1-" + RestAssured.port;
    }

    @Test
    @Order(1)
    void registersWithTheRealPortTagsAndMeta() {
        await().atMost(Duration.ofSeconds(30)).until(() -> consul().agentServices().containsKey(instanceId()));
        JsonObject service = consul().agentServices().getJsonObject(instanceId());
        assertThat(service.getString("Service")).isEqualTo("fleet-service");
        assertThat(service.getString("Address")).isEqualTo("127.0.0.1");
        assertThat(service.getInteger("Port")).isEqualTo(RestAssured.port).isNotEqualTo(8080);
        assertThat(service.getJsonArray("Tags").getList()).contains("version=1.0.0-SNAPSHOT", "env=test", "weight=1");
        assertThat(service.getJsonObject("Meta").getMap())
                .containsEntry("version", "1.0.0-SNAPSHOT").containsEntry("environment", "test")
                .containsEntry("weight", "1");
    }

    @Test
    @Order(2)
    void ttlCheckTurnsPassingAndStaysPassingOnHeartbeats() {
        String check = instanceId() + ":ttl";
        await().atMost(Duration.ofSeconds(30)).until(() -> consul().checkStatus(check), equalTo(Optional.of("passing")));
        // two full TTLs: without heartbeats the check would turn critical
        await().during(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(4))
                .until(() -> consul().checkStatus(check), equalTo(Optional.of("passing")));
    }

    @Test
    @Order(3)
    void heartbeatsUnderLoadLeaveTheCatalogUntouched() {
        String check = instanceId() + ":ttl";
        await().atMost(Duration.ofSeconds(30)).until(() -> consul().checkStatus(check), equalTo(Optional.of("passing")));
        long index = consul().healthIndex("fleet-service");
        // requests between heartbeats: a load note in the heartbeat would change the check, and the index, each time
        // (the test agent syncs every output change at once, check_update_interval=0s); once changed, the index never
        // equals the one read before, so the margin past the two TTLs only spares a busy machine's slow requests
        await().during(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(5)).until(() -> {
            given().get("/api/hello").then().statusCode(200);
            return consul().healthIndex("fleet-service");
        }, equalTo(index));
        assertThat(consul().checkOutput(check)).contains("");
    }

    @Test
    @Order(4)
    void loadEndpointAnswersTheCurrentLoad() {
        given().get("/api/hello").then().statusCode(200);
        JsonObject load = new JsonObject(given().get("/q/fleet/load").then().statusCode(200)
                .header("Content-Type", "application/json").extract().asString());
        assertThat(load.getLong("lastRequestMillis")).isPositive();
        assertThat(load.getDouble("ratePerSecond")).isPositive();
        // the load endpoint is a management endpoint: reading it is not load
        assertThat(load.getInteger("inFlight")).isZero();
    }

    @Test
    @Order(5)
    void readinessIsUpWithTheInstanceIdOnceRegistered() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'consul-registration' }.data.instanceId", equalTo(instanceId())));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'consul-heartbeat' }.status", equalTo("UP"));
    }

    @Test
    @Order(6)
    void greetingComesFromConsulKv() {
        given().get("/api/hello").then().statusCode(200)
                .body("message", equalTo(ConsulTestResource.GREETING))
                .body("instance", equalTo(instanceId()));
    }

    @Test
    @Order(7)
    void workRejectsAnOutOfRangeDurationWithAReason() {
        given().get("/api/work?millis=-1").then().statusCode(400);
        given().get("/api/work?millis=5").then().statusCode(200).body("message", equalTo("worked 5 ms"));
    }

    @Test
    @Order(11)
    void registersAgainAfterTheAgentRestartsWithoutState() {
        await().atMost(Duration.ofSeconds(30)).until(() -> consul().agentServices().containsKey(instanceId()));
        // the restarted agent has no state: only a re-registration (counted below) brings the entry back
        ConsulTestResource.agent().restart();

        await().atMost(TTL.multipliedBy(5)).until(() -> consul().checkStatus(instanceId() + ":ttl"),
                equalTo(Optional.of("passing")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                given().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("fleet_registration_reregistrations_total(\\{[^}]*})? [1-9]")
                .containsPattern("fleet_registration_registered(\\{[^}]*})? 1\\.0"));
    }
}
