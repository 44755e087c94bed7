package com.example.fleet.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/**
 * Two healthy instances, one answering 503 to every call and one accepting calls and never answering, all passing
 * in Consul, under load from 8 callers through a client with peak-ewma: the failing instance takes the only ejection
 * slot of four, and the hung one must not hide behind it. With backup tries (the default) and without them, no call
 * fails, and after the first seconds the hung instance gets at most one try a second: the age of its open call
 * counts as its latency, and once penalised it gets one call at a time.
 */
class GrayFailureIT {

    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration MEASURE = Duration.ofSeconds(5);
    private static ConsulDevAgent agent;
    private static List<AppInstance> fleet;
    private static AppInstance hung;

    @BeforeAll
    static void fleet() {
        agent = ConsulDevAgent.start();
        String consul = agent.address();
        AppInstance first = AppInstance.start("gray-healthy-1", consul, "fleet.registration.ttl=3s");
        AppInstance second = AppInstance.start("gray-healthy-2", consul, "fleet.registration.ttl=3s");
        AppInstance failing = AppInstance.start("gray-503", consul, "fleet.registration.ttl=3s",
                "fleet.sample.failure-rate=1");
        hung = AppInstance.start("gray-hung", consul, "fleet.registration.ttl=3s", "fleet.sample.hang-rate=1");
        fleet = List.of(first, second, failing, hung);
        for (AppInstance app : fleet) {
            await().atMost(Duration.ofSeconds(90)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        }
        // their first JSON answers build Jackson's object mapper: not what this test measures
        first.get("/api/hello");
        second.get("/api/hello");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.forEach(AppInstance::close);
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static double metric(AppInstance app, String name) {
        return app.get("/q/metrics").body().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static double triesReachingTheHungInstance() {
        return metric(hung, "fleet_sample_injected_hangs_total");
    }

    /**
     * Runs 8 callers through {@code client}; returns how many tries the hung instance got after the first seconds
     * above the most that one try a second allows in the window measured: tries at least a second apart fit
     * {@code floor(window) + 1} times in it (the window, from before the first reading to after the second, is a
     * little longer than {@link #MEASURE}).
     */
    private static double triesAboveOneASecond(AppInstance client) throws InterruptedException {
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(client.get("/api/fleet").body())
                .getJsonArray("instances").size() == 4);
        try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call"),
                8)) {
            Thread.sleep(SETTLE.toMillis());
            long windowStart = System.nanoTime();
            double before = triesReachingTheHungInstance();
            Thread.sleep(MEASURE.toMillis());
            double after = triesReachingTheHungInstance();
            long windowSeconds = Duration.ofNanos(System.nanoTime() - windowStart).toSeconds();
            load.stop();
            assertThat(load.failures()).as("failed calls").isEmpty();
            assertThat(load.successes()).isPositive();
            JsonObject hungMember = new JsonObject(client.get("/api/fleet").body()).getJsonArray("instances")
                    .stream().map(JsonObject.class::cast).filter(member -> member.getInteger("port") == hung.port())
                    .findFirst().orElseThrow();
            assertThat(hungMember.getJsonObject("balancer").getString("avoided"))
                    .as("why /api/fleet says the hung instance is avoided").isNotBlank();
            double tries = after - before;
            System.out.printf("%.0f tries reached the hung instance in %d s%n", tries, windowSeconds);
            return tries - (windowSeconds + 1);
        }
    }

    @Test
    void withBackupTriesTheHungInstanceCostsNoCallAndGetsAtMostOneTryASecond() throws Exception {
        try (AppInstance client = AppInstance.start("gray-client-hedging", agent.address(),
                "fleet.registration.service-name=gray-client",
                "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service")) {
            assertThat(triesAboveOneASecond(client)).as("tries reaching the hung instance beyond one a second,"
                    + " measured for %s after %s", MEASURE, SETTLE).isLessThanOrEqualTo(0);
            assertThat(metric(client, "fleet_calls_hedges_total")).as("backup tries sent").isPositive();
            assertThat(metric(client, "fleet_calls_hedges_won_total")).as("backups that answered first")
                    .isPositive();
        }
    }

    @Test
    void withoutBackupTriesTheHungInstanceCostsNoCallAndGetsAtMostOneTryASecond() throws Exception {
        try (AppInstance client = AppInstance.start("gray-client-plain", agent.address(),
                "fleet.registration.service-name=gray-client",
                "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service",
                "fleet.calls.hedge.enabled=false")) {
            assertThat(triesAboveOneASecond(client)).as("tries reaching the hung instance beyond one a second,"
                    + " measured for %s after %s", MEASURE, SETTLE).isLessThanOrEqualTo(0);
            assertThat(metric(client, "fleet_calls_hedges_total")).isZero();
        }
    }
}
