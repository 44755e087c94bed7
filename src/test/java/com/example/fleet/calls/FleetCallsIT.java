package com.example.fleet.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.core.json.JsonObject;

/**
 * Gray failure with real instances, all passing in Consul: one answers, one answers every call with 503, one
 * accepts calls and never answers (the sample's failure injection). A round-robin client sends every third first
 * try to each, so that the caller, not the balancer, has to save each call; a second client sees only the two
 * failing ones (tag {@code faulty}), so that every try fails and only the retry budget bounds the attempts.
 */
class FleetCallsIT {

    private static final int CALLS = 30;
    private static ConsulDevAgent agent;
    private static List<AppInstance> started;
    private static AppInstance healthy;
    private static AppInstance hanging;
    private static AppInstance allClient;
    private static AppInstance faultyClient;

    @BeforeAll
    static void fleet() {
        agent = ConsulDevAgent.start();
        String consul = agent.address();
        healthy = AppInstance.start("calls-healthy", consul, "fleet.registration.ttl=3s");
        AppInstance failing = AppInstance.start("calls-503", consul, "fleet.registration.ttl=3s",
                "fleet.registration.tags=faulty", "fleet.sample.failure-rate=1");
        hanging = AppInstance.start("calls-hang", consul, "fleet.registration.ttl=3s", "fleet.registration.tags=faulty",
                "fleet.sample.hang-rate=1");
        allClient = client("calls-client-all", "quarkus.stork.fleet-service.load-balancer.type=round-robin");
        faultyClient = client("calls-client-faulty", "quarkus.stork.fleet-service.service-discovery.tags=faulty",
                "fleet.calls.retry-budget.percent=20", "fleet.calls.retry-budget.min-per-second=0");
        started = List.of(healthy, failing, hanging, allClient, faultyClient);
        for (AppInstance app : started) {
            await().atMost(Duration.ofSeconds(90)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> known(allClient) == 3 && known(faultyClient) == 2);
        // an instance's first JSON answer builds Jackson's object mapper, 150-300 ms on 2 cores, as in any Quarkus
        // service; the clients' 300ms tries must meet the failing instances here, not a cold healthy one
        assertThat(healthy.get("/api/hello").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (started != null) {
            started.forEach(AppInstance::close);
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static AppInstance client(String name, String... properties) {
        String[] all = new String[properties.length + 3];
        all[0] = "fleet.registration.service-name=fleet-client";
        all[1] = "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service";
        all[2] = "fleet.calls.per-try-timeout=300ms";
        System.arraycopy(properties, 0, all, 3, properties.length);
        return AppInstance.start(name, agent.address(), all);
    }

    private static int known(AppInstance client) {
        return new JsonObject(client.get("/api/fleet").body()).getJsonArray("instances").size();
    }

    private static int attempts(HttpResponse<String> answer) {
        return Integer.parseInt(answer.headers().firstValue("Fleet-Attempts").orElseThrow());
    }

    private static double metric(AppInstance app, String name) {
        return app.get("/q/metrics").body().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aFailingAndAHangingInstanceCostNoCallEachTryGoesToAnotherInstance() {
        int retried = 0;
        for (int i = 0; i < CALLS; i++) {
            HttpResponse<String> answer = allClient.get("/api/fleet/call");
            assertThat(answer.statusCode()).as("call %d: %s", i, answer.body()).isEqualTo(200);
            assertThat(new JsonObject(answer.body()).getString("instance")).isEqualTo(healthy.instanceId());
            retried += attempts(answer) > 1 ? 1 : 0;
        }
        // round robin sends two first tries in three to a failing instance: each of those calls needed a retry
        assertThat(retried).isGreaterThanOrEqualTo(CALLS / 2);
        assertThat(metric(allClient, "fleet_calls_tries_timed_out_total")).as("tries the hanging instance cost")
                .isPositive();
    }

    @Test
    void whenEveryInstanceFailsTheRetryBudgetBoundsTheAttempts() {
        int attempts = 0;
        for (int i = 0; i < CALLS; i++) {
            HttpResponse<String> answer = faultyClient.get("/api/fleet/call");
            assertThat(answer.statusCode()).isEqualTo(502);
            attempts += attempts(answer);
        }
        // retries may not exceed 20 % of the calls: without the budget each call would try both instances
        assertThat(attempts).isLessThanOrEqualTo(CALLS + CALLS / 5);
        assertThat(metric(faultyClient, "fleet_calls_retries_refused_total")).isPositive();
        assertThat(faultyClient.get("/api/fleet/call").body()).contains("retry budget");
    }
}
