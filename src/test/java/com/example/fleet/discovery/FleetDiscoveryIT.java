package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulAgentPerTest;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/** Instances of the packaged application calling their own fleet through consul-watch while it changes. */
// ITs run two classes at a time (pom.xml, failsafe): long and mostly waiting: next to the nested build
@Order(3)
class FleetDiscoveryIT {

    /**
     * The watch sees a change within milliseconds (the benchmark measures it); this bound also holds on a loaded
     * 2-core machine polling over HTTP.
     */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    @RegisterExtension
    final ConsulAgentPerTest consulAgent = new ConsulAgentPerTest();

    private AppInstance instance(String name, String... properties) {
        String[] all = new String[properties.length + 1];
        all[0] = "fleet.registration.ttl=3s";
        System.arraycopy(properties, 0, all, 1, properties.length);
        return AppInstance.start(name, consulAgent.address(), all);
    }

    /** Ports of the instances the client instance currently knows. */
    private static List<Integer> knownBy(AppInstance client) {
        var answer = client.get("/api/fleet");
        if (answer.statusCode() != 200) {
            return List.of();
        }
        return new JsonObject(answer.body()).getJsonArray("instances").stream()
                .map(member -> ((JsonObject) member).getInteger("port")).sorted().toList();
    }

    private void awaitPassing(AppInstance... apps) {
        for (AppInstance app : apps) {
            await().atMost(Duration.ofSeconds(60)).until(
                    () -> consulAgent.consul().checkStatus(app.instanceId() + ":ttl").equals(Optional.of("passing")));
        }
    }

    private static LoadDriver loadThrough(AppInstance client) {
        return LoadDriver.start(URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call"), 4);
    }

    /** Lets the load run until {@code count} more calls succeeded: time for the fleet to be exercised. */
    private static void awaitSuccesses(LoadDriver load, long count) {
        long target = load.successes() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> load.successes() >= target);
    }

    @Test
    void aNewInstanceIsSeenOnceItPassesAndALeavingOneGoesOnceItLeft() {
        try (AppInstance client = instance("client")) {
            awaitPassing(client);
            await().atMost(Duration.ofSeconds(10)).until(() -> knownBy(client).equals(List.of(client.port())));

            try (AppInstance joining = instance("joining")) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(
                        () -> consulAgent.consul().checkStatus(joining.instanceId() + ":ttl").equals(Optional.of("passing")));
                await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(20))
                        .until(() -> knownBy(client).contains(joining.port()));

                joining.signalStop();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> !consulAgent.consul().agentServices().containsKey(joining.instanceId()));
                await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(20))
                        .until(() -> !knownBy(client).contains(joining.port()));
            }
        }
    }

    @Test
    void gracefulStopOfOneOfThreeUnderLoadFailsNoRequest() {
        // the leaving instance with the shipped shutdown delay
        try (AppInstance client = instance("client"); AppInstance second = instance("second");
                AppInstance leaving = instance("leaving", "quarkus.shutdown.delay=2s")) {
            awaitPassing(client, second, leaving);
            await().atMost(Duration.ofSeconds(10)).until(() -> knownBy(client).size() == 3);
            try (LoadDriver load = loadThrough(client)) {
                awaitSuccesses(load, 300);
                leaving.stopGracefully();
                awaitSuccesses(load, 300);
                load.stop();
                assertThat(load.failures()).isEmpty();
                assertThat(load.answeredBy()).containsKey(leaving.instanceId()).hasSize(3);
            }
        }
    }

    @Test
    void killOfOneOfThreeUnderIdempotentLoadFailsNoRequest() {
        try (AppInstance client = instance("client"); AppInstance second = instance("second");
                AppInstance killed = instance("killed")) {
            awaitPassing(client, second, killed);
            await().atMost(Duration.ofSeconds(10)).until(() -> knownBy(client).size() == 3);
            try (LoadDriver load = loadThrough(client)) {
                awaitSuccesses(load, 300);
                killed.kill();
                // until the TTL check turns critical Consul still lists it: retries must cover that time
                await().atMost(Duration.ofSeconds(30)).until(() -> !knownBy(client).contains(killed.port()));
                awaitSuccesses(load, 300);
                load.stop();
                assertThat(load.failures()).isEmpty();
            }
        }
    }

    @Test
    void callsGoOnWhileConsulIsDownAndTheWatchResumesWhenItIsBack() {
        try (AppInstance client = instance("client"); AppInstance second = instance("second")) {
            awaitPassing(client, second);
            await().atMost(Duration.ofSeconds(10)).until(() -> knownBy(client).size() == 2);
            try (LoadDriver load = loadThrough(client)) {
                awaitSuccesses(load, 200);
                consulAgent.agent().stop();
                await().atMost(Duration.ofSeconds(10)).until(() -> new JsonObject(client.get("/api/fleet").body())
                        .getString("consulProblem") != null);
                awaitSuccesses(load, 300);
                assertThat(knownBy(client)).as("the last snapshot stays").hasSize(2);
                assertThat(load.failures()).as("no failure while Consul is down").isEmpty();

                // a dev agent comes back empty: its first answer is a real, empty one, until the instances
                // register again at their next heartbeat; calls in that window find no instance
                consulAgent.agent().restart();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    JsonObject view = new JsonObject(client.get("/api/fleet").body());
                    return view.getString("consulProblem") == null && knownBy(client).size() == 2;
                });
                int afterRestart = load.failures().size();
                awaitSuccesses(load, 300);
                load.stop();
                assertThat(load.failures()).as("no failure once the watch resumed").hasSize(afterRestart);
                assertThat(load.answeredBy()).hasSize(2);
            }
        }
    }

    @Test
    void aSlowInstanceReceivesASmallShareOfTheTraffic() {
        try (AppInstance client = instance("client"); AppInstance second = instance("second");
                AppInstance slow = instance("slow", "fleet.sample.response-delay=50ms")) {
            awaitPassing(client, second, slow);
            await().atMost(Duration.ofSeconds(10)).until(() -> knownBy(client).size() == 3);
            try (LoadDriver load = loadThrough(client)) {
                // the balancer learns the latencies, then the share is counted
                awaitSuccesses(load, 300);
                long slowBefore = load.answeredBy().getOrDefault(slow.instanceId(), 0L);
                long totalBefore = load.successes();
                awaitSuccesses(load, 2000);
                load.stop();
                double share = (double) (load.answeredBy().getOrDefault(slow.instanceId(), 0L) - slowBefore)
                        / (load.successes() - totalBefore);
                assertThat(share).as("share of the instance 50 ms slower").isLessThan(0.10);
                assertThat(load.failures()).isEmpty();
            }
        }
    }
}
