package com.example.fleet.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.ConsulTestResource;
import com.example.fleet.testing.HeadlessChromium;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * The fleet page and the fleet API behind the HTTP permission that {@code docs/fleet-page.md} gives, with a
 * Quarkus security extension (a properties-file identity store, in the test scope only) and basic authentication:
 * without credentials the page, the API, its stream and its calls answer 401; with them they work, in a real
 * browser too, stream included; the leader's reads of {@code /q/fleet/load} and the health checks need none.
 */
@QuarkusTest
@TestProfile(FleetPageProtectionTest.Protected.class)
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class FleetPageProtectionTest {

    private static final String CREDENTIALS = "Basic " + Base64.getEncoder()
            .encodeToString("operator:fleet-secret".getBytes(StandardCharsets.UTF_8));
    private static final List<String> PROTECTED = List.of("/fleet", "/fleet/", "/fleet/page.js", "/api/fleet",
            "/api/fleet/stream", "/api/fleet/call", "/api/fleet/audit");
    private static final Duration SHOWN = Duration.ofSeconds(30);

    /** The permission exactly as the docs give it, and one user. */
    public static class Protected implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.auth.permission.fleet.paths", "/fleet,/fleet/*,/api/fleet,/api/fleet/*",
                    "quarkus.http.auth.permission.fleet.policy", "authenticated",
                    "quarkus.http.auth.basic", "true",
                    "quarkus.security.users.embedded.enabled", "true",
                    "quarkus.security.users.embedded.plain-text", "true",
                    "quarkus.security.users.embedded.users.operator", "fleet-secret");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int status(String path, Optional<String> authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                + path)).timeout(Duration.ofSeconds(10));
        authorization.ifPresent(value -> request.header("Authorization", value));
        if (path.endsWith("/stream")) {
            // the stream never ends: its status line is all this needs
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void withoutCredentialsThePageTheApiItsStreamAndItsCallsAnswer401() throws Exception {
        for (String path : PROTECTED) {
            assertThat(status(path, Optional.empty())).as(path).isEqualTo(401);
            assertThat(status(path, Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    "operator:wrong".getBytes(StandardCharsets.UTF_8))))).as(path + " with a wrong password")
                    .isEqualTo(401);
        }
    }

    @Test
    void withCredentialsTheyWorkAndTheLeadersReadsNeedNone() throws Exception {
        assertThat(status("/fleet/", Optional.of(CREDENTIALS))).isEqualTo(200);
        assertThat(status("/api/fleet", Optional.of(CREDENTIALS))).isEqualTo(200);
        assertThat(status("/api/fleet/calls?count=2", Optional.of(CREDENTIALS))).isEqualTo(200);
        assertThat(status("/q/fleet/load", Optional.empty())).as("what the leader reads").isEqualTo(200);
        await().atMost(SHOWN).until(() -> status("/q/health/ready", Optional.empty()) == 200);
        assertThat(status("/api/hello", Optional.empty())).as("the rest of the API").isEqualTo(200);
    }

    @Test
    void inABrowserWithCredentialsThePageIsLiveStreamIncluded() throws Exception {
        Optional<Path> binary = HeadlessChromium.find();
        assumeTrue(binary.isPresent(), "the browser part skipped: no Chromium on the PATH (chromium,"
                + " chromium-browser) nor in CHROME_BIN; install Debian's with `" + HeadlessChromium.INSTALL + "`");
        Files.createDirectories(Path.of("target", "it-logs"));
        try (HeadlessChromium browser = HeadlessChromium.start(binary.get(), 1024, 768,
                Path.of("target", "it-logs", "chromium-protected.log"))) {
            browser.open("http://127.0.0.1:" + RestAssured.port + "/fleet/");
            assertThat(browser.evaluate("document.getElementById('connection')")).as("no page without credentials")
                    .isNull();

            browser.sendWithEveryRequest(Map.of("Authorization", CREDENTIALS));
            browser.open("http://127.0.0.1:" + RestAssured.port + "/fleet/");
            await().atMost(SHOWN).until(() -> "live".equals(browser.evaluate(
                    "document.getElementById('connection').dataset.state")));
            await().atMost(SHOWN).until(() -> ((Number) browser.evaluate(
                    "document.querySelectorAll('#instances tbody tr').length")).intValue() >= 1);
        }
    }
}
