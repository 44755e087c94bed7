package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulCluster;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/**
 * The fleet on a Consul cluster of three servers and two client agents, each instance registered through a
 * different client agent, as on nodes of their own; then the Raft leader is killed under load.
 */
class ConsulClusterIT {

    private static ConsulCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ConsulCluster.start(3, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What the client instance knows: ports of the instances, and the Consul problem it reports, if any. */
    private record View(List<Integer> ports, Optional<String> problem) {
        static View of(AppInstance client) {
            var answer = client.get("/api/fleet");
            if (answer.statusCode() != 200) {
                return new View(List.of(), Optional.of("HTTP " + answer.statusCode()));
            }
            JsonObject view = new JsonObject(answer.body());
            return new View(view.getJsonArray("instances").stream().map(m -> ((JsonObject) m).getInteger("port"))
                    .sorted().toList(), Optional.ofNullable(view.getString("consulProblem")));
        }
    }

    @Test
    void instancesBehindDifferentAgentsFindEachOtherAndCallsOutliveTheRaftLeader() throws Exception {
        ConsulCluster.Agent nodeA = cluster.clients().get(0);
        ConsulCluster.Agent nodeB = cluster.clients().get(1);
        try (AppInstance first = AppInstance.start("cluster-a", nodeA.address(), "fleet.registration.ttl=3s");
                AppInstance second = AppInstance.start("cluster-b", nodeB.address(), "fleet.registration.ttl=3s")) {
            List<Integer> both = java.util.stream.Stream.of(first.port(), second.port()).sorted().toList();
            for (AppInstance app : List.of(first, second)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> View.of(first).ports().equals(both)
                    && View.of(second).ports().equals(both));
            // each instance is listed on the node of the agent it registered through
            Map<Integer, String> nodeByPort = nodeA.consul().health("fleet-service").stream()
                    .map(JsonObject.class::cast).collect(Collectors.toMap(
                            entry -> entry.getJsonObject("Service").getInteger("Port"),
                            entry -> entry.getJsonObject("Node").getString("Address")));
            assertThat(nodeByPort).containsEntry(first.port(), nodeA.host()).containsEntry(second.port(), nodeB.host());

            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + first.port() + "/api/fleet/call"),
                    4)) {
                awaitSuccesses(load, 200);
                ConsulCluster.Agent lost = cluster.raftLeader().orElseThrow();
                lost.kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.raftLeader()
                        .filter(leader -> leader != lost).isPresent());
                // watches resume on the new leader without having emptied the pool; both instances stay registered
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> View.of(first).equals(new View(both, Optional.empty())));
                awaitSuccesses(load, 200);
                load.stop();
                assertThat(load.failures()).as("calls while the Raft leader was lost").isEmpty();
                assertThat(load.answeredBy()).containsKeys(first.instanceId(), second.instanceId());
                lost.start();
                cluster.awaitFormed();
            }
        }
    }

    @Test
    void instancesBehindAKilledClientAgentLeaveThePoolsAndRegisterAgainWhenItReturnsEmpty() {
        ConsulCluster.Agent lostNode = cluster.clients().get(0);
        ConsulCluster.Agent nodeB = cluster.clients().get(1);
        try (AppInstance orphan = AppInstance.start("cluster-orphan", lostNode.address(), "fleet.registration.ttl=3s");
                AppInstance client = AppInstance.start("cluster-client", nodeB.address(), "fleet.registration.ttl=3s")) {
            List<Integer> both = java.util.stream.Stream.of(orphan.port(), client.port()).sorted().toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> View.of(client).ports().equals(both));
            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call"),
                    4)) {
                awaitSuccesses(load, 200);
                long killed = System.nanoTime();
                lostNode.kill();
                // the servers' failure detection marks the node's serfHealth critical: its instances leave ?passing
                await().atMost(Duration.ofSeconds(60)).until(() -> View.of(client).ports().equals(List.of(client.port())));
                System.out.printf("instance behind a killed client agent left the pool after %d ms%n",
                        (System.nanoTime() - killed) / 1_000_000);
                await().atMost(Duration.ofSeconds(30)).until(() -> orphan.get("/q/health/ready").statusCode() == 503);

                lostNode.wipeData();
                lostNode.start();
                cluster.awaitFormed();
                long back = System.nanoTime();
                // the agent came back without the entry: the heartbeat finds its check unknown and registers again
                await().atMost(Duration.ofSeconds(60)).until(() -> View.of(client).ports().equals(both));
                System.out.printf("instance back in the pool %d ms after its agent returned empty%n",
                        (System.nanoTime() - back) / 1_000_000);
                await().atMost(Duration.ofSeconds(30)).until(() -> orphan.get("/q/health/ready").statusCode() == 200);
                awaitSuccesses(load, 200);
                load.stop();
                assertThat(load.failures()).as("calls while a client agent was lost").isEmpty();
            }
        }
    }

    private static void awaitSuccesses(LoadDriver load, long count) {
        long target = load.successes() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> load.successes() >= target);
    }
}
