package com.example.fleet.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.core.json.JsonObject;

/** The packaged application with injected hangs, stopped gracefully; and fault settings that stop the start. */
class GreetingFailureInjectionIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final int HUNG_CALLS = 6;
    private static ConsulDevAgent agent;
    private static ConsulApi consul;

    @BeforeAll
    static void startAgent() {
        agent = ConsulDevAgent.start();
        consul = new ConsulApi(agent.address());
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @Test
    void aGracefulStopAnswersTheHungCalls503AndItsDrainCompletes() {
        try (AppInstance app = AppInstance.start("hang-stop", agent.address(),
                "fleet.registration.ttl=" + TTL.toSeconds() + "s", "fleet.sample.hang-rate=1")) {
            String check = app.instanceId() + ":ttl";
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> consul.checkStatus(check), equalTo(Optional.of("passing")));

            List<CompletableFuture<HttpResponse<String>>> hung = new ArrayList<>();
            for (int i = 0; i < HUNG_CALLS; i++) {
                hung.add(app.getAsync(i % 2 == 0 ? "/api/hello" : "/api/work?millis=10"));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> app.get("/q/metrics").body()
                    .matches("(?s).*fleet_sample_hung_requests(\\{[^}]*})? " + HUNG_CALLS + "\\.0.*"));
            // a gray failure: registered and passing over two TTLs of heartbeats, while no call is answered
            await().during(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(4))
                    .until(() -> consul.checkStatus(check), equalTo(Optional.of("passing")));
            assertThat(hung).noneMatch(CompletableFuture::isDone);

            app.signalStop();

            for (CompletableFuture<HttpResponse<String>> call : hung) {
                HttpResponse<String> answer = call.join();
                assertThat(answer.statusCode()).isEqualTo(503);
                assertThat(new JsonObject(answer.body()).getString("error"))
                        .isEqualTo("hung request released at shutdown");
            }
            // 128 + SIGTERM: the shutdown ran to its end; the hung calls were answered before the drain began
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
            assertThat(app.log()).contains("Shutdown: answered " + HUNG_CALLS + " hung request(s) 503")
                    .doesNotContain("Waiting for HTTP requests to complete").doesNotContain("Timed out waiting");
            assertThat(consul.agentServices().containsKey(app.instanceId())).isFalse();
        }
    }

    @Test
    void faultSettingsOutOfRangeStopTheStartNamingEachSettingAndValue() {
        try (AppInstance app = AppInstance.start("bad-faults", "127.0.0.1:1", "fleet.sample.failure-rate=1.5",
                "fleet.sample.hang-rate=-0.1", "fleet.sample.response-delay=-1s")) {
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(app.log()).contains("fleet.sample.failure-rate: 1.5 is not a share from 0 to 1")
                    .contains("fleet.sample.hang-rate: -0.1 is not a share from 0 to 1")
                    .contains("fleet.sample.response-delay: PT-1S is negative");
        }
    }
}
