package com.example.fleet.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.http.HttpServer;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/** With the management interface enabled, the load endpoint moves there and the instance says where in Meta. */
@QuarkusTest
@TestProfile(LoadEndpointOnManagementInterfaceTest.ManagementInterface.class)
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class LoadEndpointOnManagementInterfaceTest {

    public static class ManagementInterface implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.management.enabled", "true", "quarkus.management.test-port", "0");
        }
    }

    @Inject
    HttpServer server;

    @Test
    void servesTheLoadOnTheManagementPortAndPublishesThatPortInMeta() throws Exception {
        int management = server.getManagementPort();
        assertThat(management).isPositive().isNotEqualTo(RestAssured.port);

        HttpResponse<String> onManagement = get(management);
        assertThat(onManagement.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(onManagement.body()).fieldNames()).contains("inFlight", "lastRequestMillis");
        assertThat(get(RestAssured.port).statusCode()).as("not on the main server").isEqualTo(404);

        String id = "fleet-service-127.0.0.1-" + RestAssured.port;
        ConsulApi consul = new ConsulApi(ConsulTestResource.agent().address());
        await().atMost(Duration.ofSeconds(30)).until(() -> consul.agentServices().containsKey(id));
        assertThat(consul.agentServices().getJsonObject(id).getJsonObject("Meta").getString("management-port"))
                .isEqualTo(Integer.toString(management));
    }

    private static HttpResponse<String> get(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/" + LoadEndpoint.PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
