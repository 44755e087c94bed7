package com.example.fleet.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.http.HttpServer;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * The sample's injected faults on a running instance: failures from the configuration, hangs switched on through
 * the faults endpoint (on the management interface), and the shutdown hook that answers the hung calls.
 */
@QuarkusTest
@TestProfile(GreetingResourceFailureInjectionTest.FailingInstance.class)
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GreetingResourceFailureInjectionTest {

    /** Every call fails from the start; the faults endpoint is on, on the management interface. */
    public static class FailingInstance implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleet.sample.failure-rate", "1",
                    "fleet.sample.faults-endpoint.enabled", "true",
                    "quarkus.management.enabled", "true", "quarkus.management.test-port", "0");
        }
    }

    private static final Duration TTL = Duration.ofSeconds(3);
    /** Well above the event loops (2 × cores) a blocked loop per call would exhaust. */
    private static final int HUNG_CALLS = 40;
    private static final List<CompletableFuture<HttpResponse<String>>> hungCalls = new ArrayList<>();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    HttpServer server;

    @Inject
    InjectedFaults faults;

    private String instanceId() {
        return "fleet-service-127.0.0.1-" + RestAssured.port;
    }

    @Test
    @Order(1)
    void theConfiguredFailureRateAnswersEveryCall503NamingTheSetting() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> management("GET", "/q/health/ready", null).statusCode() == 200);

        for (String path : List.of("/api/hello", "/api/work?millis=5")) {
            given().get(path).then().statusCode(503).contentType("application/json")
                    .body("error", equalTo("injected failure"))
                    .body("setting", equalTo("fleet.sample.failure-rate"))
                    .body("instance", equalTo(instanceId()));
        }
        // a bad request is still refused as such
        given().get("/api/work?millis=-1").then().statusCode(400);
        assertThat(management("GET", "/q/metrics", null).body())
                .containsPattern("fleet_sample_injected_failures_total(\\{[^}]*})? [2-9]")
                .containsPattern("fleet_sample_injected_hangs_total(\\{[^}]*})? 0\\.0");
    }

    @Test
    @Order(2)
    void theFaultsEndpointIsOnTheManagementInterfaceAndShowsTheRates() {
        HttpResponse<String> state = management("GET", "/q/fleet/faults", null);
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(state.body()))
                .isEqualTo(new JsonObject().put("failureRate", 1.0).put("hangRate", 0.0).put("hungRequests", 0));
        given().get("/q/fleet/faults").then().statusCode(404);
        given().get("/api/fleet/faults").then().statusCode(404);
    }

    @Test
    @Order(3)
    void theFaultsEndpointRefusesBadRatesNamingTheFieldAndKeepsTheOldOnes() {
        assertRefused("{\"hangRate\":1.5}", "hangRate: 1.5 is not a share from 0 to 1");
        assertRefused("{\"hangRate\":0.5}", "failureRate (1.0) and hangRate (0.5) together exceed 1");
        assertRefused("{\"hang-rate\":1}", "unknown field 'hang-rate': use failureRate and hangRate");
        assertRefused("{\"hangRate\":\"all\"}", "hangRate must be a number from 0 to 1, got all");
        assertRefused("hang please", "the body must be a JSON object");
        assertThat(new JsonObject(management("GET", "/q/fleet/faults", null).body()).getDouble("failureRate"))
                .isEqualTo(1.0);
    }

    @Test
    @Order(4)
    void hungCallsStayOpenWithoutHoldingAThreadWhileTheInstanceStaysPassingInConsul() {
        changeFaults("{\"failureRate\":0,\"hangRate\":1}");
        for (int i = 0; i < HUNG_CALLS; i++) {
            hungCalls.add(callAsync(i % 2 == 0 ? "/api/hello" : "/api/work?millis=1"));
        }
        await().atMost(Duration.ofSeconds(30)).until(this::hungRequests, equalTo(HUNG_CALLS));
        assertThat(hungCalls).noneMatch(CompletableFuture::isDone);

        // as many hung calls as there are event loops and more, and the instance still answers everything else
        changeFaults("{\"hangRate\":0}");
        given().get("/api/hello").then().statusCode(200).body("instance", equalTo(instanceId()));
        assertThat(management("GET", "/q/health/ready", null).statusCode()).isEqualTo(200);
        // a gray failure: the TTL check stays passing over two TTLs of heartbeats
        ConsulApi consul = new ConsulApi(ConsulTestResource.agent().address());
        await().during(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(4))
                .until(() -> consul.checkStatus(instanceId() + ":ttl"), equalTo(Optional.of("passing")));
        assertThat(hungCalls).noneMatch(CompletableFuture::isDone);
        assertThat(management("GET", "/q/metrics", null).body())
                .containsPattern("fleet_sample_injected_hangs_total(\\{[^}]*})? " + HUNG_CALLS + "\\.0")
                .containsPattern("fleet_sample_hung_requests(\\{[^}]*})? " + HUNG_CALLS + "\\.0");
    }

    @Test
    @Order(5)
    void aHungCallWhoseClientClosedTheConnectionIsForgotten() throws IOException {
        changeFaults("{\"hangRate\":1}");
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(this::hungRequests, equalTo(HUNG_CALLS + 1));
        }
        await().atMost(Duration.ofSeconds(30)).until(this::hungRequests, equalTo(HUNG_CALLS));
    }

    @Test
    @Order(6)
    void whenShutdownBeginsEveryHungCallIsAnswered503SoTheDrainCanComplete() {
        assertThat(hungCalls).hasSize(HUNG_CALLS).noneMatch(CompletableFuture::isDone);

        // the hook Quarkus fires when shutdown begins, before the delay and the drain of in-flight requests
        faults.onShutdownDelay(new ShutdownDelayInitiatedEvent());

        for (CompletableFuture<HttpResponse<String>> call : hungCalls) {
            HttpResponse<String> answer = call.orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(answer.statusCode()).isEqualTo(503);
            JsonObject body = new JsonObject(answer.body());
            assertThat(body.getString("error")).isEqualTo("hung request released at shutdown");
            assertThat(body.getString("setting")).isEqualTo("fleet.sample.hang-rate");
        }
        assertThat(hungRequests()).isZero();
        // still drawn to hang (hangRate 1) but answered at once now
        given().get("/api/hello").then().statusCode(503).body("setting", equalTo("fleet.sample.hang-rate"));
        assertThat(hungRequests()).isZero();
    }

    private int hungRequests() {
        return new JsonObject(management("GET", "/q/fleet/faults", null).body()).getInteger("hungRequests");
    }

    private void changeFaults(String body) {
        HttpResponse<String> changed = management("PUT", "/q/fleet/faults", body);
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    }

    private void assertRefused(String body, String problem) {
        HttpResponse<String> refused = management("PUT", "/q/fleet/faults", body);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(refused.body()).getString("error")).contains(problem);
    }

    private CompletableFuture<HttpResponse<String>> callAsync(String path) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> management(String method, String path, String body) {
        HttpRequest.BodyPublisher content = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getManagementPort() + path))
                    .method(method, content).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
