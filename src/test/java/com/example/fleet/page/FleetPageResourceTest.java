package com.example.fleet.page;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.example.fleet.testing.ConsulTestResource;
import com.example.fleet.testing.EventStream;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The fleet page, its feed, the audit trail and the calls control on the main server (the default). */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class FleetPageResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    FleetFeed feed;

    private static String instanceId() {
        return "fleet-service-127.0.0.1-" + RestAssured.port;
    }

    private static EventStream stream() {
        return EventStream.open(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/fleet/stream"));
    }

    private static JsonObject last(EventStream stream, String part) {
        List<EventStream.Event> events = stream.events(part);
        return new JsonObject(events.get(events.size() - 1).data());
    }

    @Test
    void theRootPageLinksToTheFleetPageWhichLivesInItsOwnDirectory() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("id=\"fleet-page\" href=\"fleet\""));
        given().redirects().follow(false).get("/fleet").then().statusCode(302).header("Location", "fleet/");
        given().get("/fleet/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<script src=\"page.js\" defer></script>"));
        given().get("/fleet/page.js").then().statusCode(200).body(containsString("new EventSource(STREAM)"));
    }

    @Test
    void theAuditTrailListsTheLeadersEventsNewestFirst() {
        // the only instance leads and audits that
        await().atMost(WAIT).until(() -> given().get("/api/fleet/audit").body().asString()
                .contains("leader-acquired"));

        given().queryParam("limit", "1").get("/api/fleet/audit").then().statusCode(200)
                .contentType(containsString("application/json"))
                .body("key", equalTo("service/fleet-service/audit"))
                .body("events", hasSize(1))
                .body("events[0].event", equalTo("leader-acquired"))
                .body("events[0].instance", equalTo(instanceId()))
                .body("problem", nullValue());
    }

    @ParameterizedTest
    @CsvSource({ "/api/fleet/audit, limit, 0, 50", "/api/fleet/audit, limit, 51, 50", "/api/fleet/audit, limit, abc, 50",
            "/api/fleet/audit, limit, 1.5, 50", "/api/fleet/audit, limit, 99999999999, 50",
            "/api/fleet/calls, count, 0, 500", "/api/fleet/calls, count, 501, 500", "/api/fleet/calls, count, -3, 500",
            "/api/fleet/calls, count, x, 500" })
    void aBadNumberIsA400NamingTheParameterTheValueAndTheRange(String path, String parameter, String value, int max) {
        given().queryParam(parameter, value).get(path).then().statusCode(400)
                .contentType("application/json")
                .body("parameter", equalTo(parameter))
                .body("value", equalTo(value))
                .body("allowed", equalTo("whole numbers from 1 to " + max));
    }

    @Test
    void aPageGetsEveryPartAtOnceThenOnlyChangesAndItsWorkStopsWhenItCloses() {
        assertThat(feed.running()).as("no page open yet").isFalse();
        try (EventStream page = stream()) {
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.contentType()).startsWith("text/event-stream");
            await().atMost(WAIT).until(() -> !page.events("instances").isEmpty() && !page.events("control").isEmpty()
                    && !page.events("calls").isEmpty() && !page.events("audit").isEmpty());
            assertThat(feed.running()).isTrue();
            assertThat(page.retry()).isEqualTo("1000");
            // someone watching is not load: the leader would otherwise keep this instance at scale-in
            given().get("/q/fleet/load").then().body("inFlight", equalTo(0));
            await().atMost(WAIT).until(() -> last(page, "instances").getJsonArray("shown").size() == 1
                    && last(page, "control").getJsonObject("leader").getBoolean("leader")
                    && !last(page, "audit").getJsonArray("events").isEmpty());
            JsonObject instances = last(page, "instances");
            assertThat(instances.getString("seenFrom")).isEqualTo(instanceId());
            assertThat(instances.getJsonArray("shown").getJsonObject(0).getString("consulId")).isEqualTo(instanceId());

            // nothing changes: the timer still looks every second, but sends nothing
            int sent = page.events().size();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> page.events().size() == sent);

            given().queryParam("count", "5").get("/api/fleet/calls").then().statusCode(200)
                    .body("calls", equalTo(5)).body("answered", equalTo(5)).body("failed", equalTo(0));
            await().atMost(WAIT).until(() -> answered(last(page, "calls")) == 5);
            JsonObject series = last(page, "calls").getJsonArray("series").getJsonObject(0);
            assertThat(series.getString("instance")).isEqualTo("127.0.0.1:" + RestAssured.port);
        }
        await().atMost(WAIT).until(() -> feed.pages() == 0 && !feed.running());
    }

    private static long answered(JsonObject chart) {
        JsonArray series = chart.getJsonArray("series");
        return series.stream().map(JsonObject.class::cast)
                .flatMap(s -> s.getJsonArray("answered").stream()).mapToLong(n -> ((Number) n).longValue()).sum();
    }
}
