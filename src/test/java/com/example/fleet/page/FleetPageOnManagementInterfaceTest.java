package com.example.fleet.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.ConsulTestResource;
import com.example.fleet.testing.EventStream;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.http.HttpServer;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * One setting moves the fleet page and the fleet API to the management interface, which it turns on: served there,
 * 404 on the main server, where the rest of the API stays.
 */
@QuarkusTest
@TestProfile(FleetPageOnManagementInterfaceTest.OnManagementInterface.class)
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class FleetPageOnManagementInterfaceTest {

    /** Only the page's setting: the management interface is not turned on by hand. */
    public static class OnManagementInterface implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(FleetPageRoutes.ON_MANAGEMENT_INTERFACE, "true", "quarkus.management.test-port", "0");
        }
    }

    private static final List<String> MOVED = List.of("/fleet", "/fleet/", "/fleet/page.js", "/api/fleet",
            "/api/fleet/policy", "/api/fleet/leader", "/api/fleet/audit", "/api/fleet/call", "/api/fleet/calls?count=1",
            "/api/fleet/audit?limit=0");
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    HttpServer server;

    private HttpResponse<String> send(int port, String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theManagementInterfaceServesThePageAndTheFleetApi() throws Exception {
        int management = server.getManagementPort();
        assertThat(management).isPositive().isNotEqualTo(RestAssured.port);

        assertThat(send(management, "GET", "/fleet").headers().firstValue("Location")).hasValue("fleet/");
        assertThat(send(management, "GET", "/fleet/").body()).contains("<script src=\"page.js\" defer></script>");
        assertThat(send(management, "GET", "/fleet/page.js").statusCode()).isEqualTo(200);
        assertThat(new JsonObject(send(management, "GET", "/api/fleet").body()).getString("service"))
                .isEqualTo("fleet-service");
        await().atMost(Duration.ofSeconds(30)).until(() -> send(management, "GET", "/api/fleet/audit").body()
                .contains("leader-acquired"));
        HttpResponse<String> refused = send(management, "GET", "/api/fleet/audit?limit=0");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(refused.body()).getString("parameter")).isEqualTo("limit");
        HttpResponse<String> sent = send(management, "GET", "/api/fleet/calls?count=3");
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(sent.body()).getInteger("answered")).isEqualTo(3);
        try (EventStream page = EventStream.open(URI.create("http://127.0.0.1:" + management + "/api/fleet/stream"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !page.events("instances").isEmpty());
            // what the management interface hands over is not application load
            assertThat(new JsonObject(send(management, "GET", "/q/fleet/load").body()).getInteger("inFlight"))
                    .isZero();
        }
    }

    @Test
    void theMainServerAnswers404ForThemAndServesTheRest() throws Exception {
        for (String path : MOVED) {
            assertThat(send(RestAssured.port, "GET", path).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(send(RestAssured.port, "GET", "/api/fleet/stream").statusCode()).isEqualTo(404);
        assertThat(send(RestAssured.port, "GET", "/api/hello").statusCode()).isEqualTo(200);
        assertThat(send(RestAssured.port, "GET", "/").statusCode()).isEqualTo(200);
    }
}
