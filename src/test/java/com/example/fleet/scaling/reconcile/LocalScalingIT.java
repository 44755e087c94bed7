package com.example.fleet.scaling.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulAgentPerTest;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/** The leader scales its own fleet with the local actuator, following the policy key. */
// ITs run two classes at a time (pom.xml, failsafe): long: early, so that the short ones fill the end
@Order(4)
class LocalScalingIT {

    private static final String KEY = "config/fleet-service/replicas";
    @RegisterExtension
    final ConsulAgentPerTest consulAgent = new ConsulAgentPerTest();

    /** Passing instances in Consul: their ports by ID. */
    private Map<String, Integer> passing() {
        Map<String, Integer> members = new java.util.TreeMap<>();
        consulAgent.consul().health("fleet-service").stream().map(JsonObject.class::cast).forEach(entry -> {
            boolean allPassing = entry.getJsonArray("Checks").stream().map(JsonObject.class::cast)
                    .allMatch(check -> "passing".equals(check.getString("Status")));
            if (allPassing) {
                JsonObject service = entry.getJsonObject("Service");
                members.put(service.getString("ID"), service.getInteger("Port"));
            }
        });
        return members;
    }

    private static void call(int port) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
    }

    @Test
    void scalesOneToThreeThenInRemovingTheLeastRecentlyRequestedWithoutFailingARequest() throws Exception {
        try (AppInstance leader = AppInstance.start("scaling-leader", consulAgent.address(), "fleet.registration.ttl=3s",
                "fleet.scaling.session-ttl=10s", "fleet.scaling.lock-delay=1s", "fleet.scaling.actuator=local",
                "fleet.scaling.reconcile-interval=2s")) {
            consulAgent.consul().putKey(KEY, "1");
            await().atMost(Duration.ofSeconds(60)).until(() -> leader.get("/api/fleet/leader").body()
                    .contains("\"leader\":true"));

            consulAgent.consul().putKey(KEY, "3");
            await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 3);
            List<String> children = passing().keySet().stream().filter(id -> !id.equals(leader.instanceId())).toList();
            String requested = children.get(0);
            String idle = children.get(1);
            // one child requested just before the policy changes: the leader reads the load from the children
            // themselves when it chooses, so it knows at once (nothing goes through Consul, no heartbeat to wait for)
            for (int i = 0; i < 5; i++) {
                call(passing().get(requested));
            }
            consulAgent.consul().putKey(KEY, "2");
            await().atMost(Duration.ofSeconds(60)).until(() -> passing().keySet().equals(
                    new java.util.TreeSet<>(List.of(leader.instanceId(), requested))));
            JsonObject victims = auditLine(leader, "victims-chosen");
            assertThat(victims.getString("new")).isEqualTo(idle);
            assertThat(victims.getString("reason")).contains("least-recently-requested")
                    .contains("load read from 2 candidate(s)").doesNotContain("did not answer");
            // one trace id for every line of that reconcile: decision, victims, drain request, verification
            await().atMost(Duration.ofSeconds(30)).until(() -> events(leader, victims.getString("traceId"))
                    .containsAll(List.of("scaling-decided", "victims-chosen", "instance-drain-requested",
                            "scaling-verified")));

            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + leader.port() + "/api/fleet/call"),
                    4)) {
                long before = load.successes();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.successes() > before + 200);
                consulAgent.consul().putKey(KEY, "1");
                await().atMost(Duration.ofSeconds(60)).until(() -> passing().keySet().equals(
                        java.util.Set.of(leader.instanceId())));
                long after = load.successes();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.successes() > after + 200);
                load.stop();
                assertThat(load.failures()).as("scale-in under load").isEmpty();
            }
            assertThat(leader.log()).contains("\"event\":\"instance-started\"")
                    .contains("\"event\":\"instance-drain-requested\"");
        }
    }

    @Test
    void aNewLeaderTakesOverAfterKillMinusNineAndTheFleetConverges() {
        String[] options = { "fleet.registration.ttl=3s", "fleet.scaling.session-ttl=10s", "fleet.scaling.lock-delay=1s",
                "fleet.scaling.actuator=local", "fleet.scaling.reconcile-interval=2s" };
        try (AppInstance a = AppInstance.start("takeover-a", consulAgent.address(), options);
                AppInstance b = AppInstance.start("takeover-b", consulAgent.address(), options)) {
            // both registered before the policy: else the leader counts one, starts two, and later removes one
            // of the four, possibly the other test instance
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> passing().keySet().containsAll(List.of(a.instanceId(), b.instanceId())));
            consulAgent.consul().putKey(KEY, "3");
            await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 3);
            AppInstance leader = a.get("/api/fleet/leader").body().contains("\"leader\":true") ? a : b;
            AppInstance follower = leader == a ? b : a;

            // the instances the leader started end with it: the new leader must replace them too
            leader.kill();
            await().atMost(Duration.ofSeconds(90)).until(() -> follower.get("/api/fleet/leader").body()
                    .contains("\"leader\":true"));
            await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 3
                    && passing().containsKey(follower.instanceId()) && !passing().containsKey(leader.instanceId()));
            // the new leader's verification follows Consul too: its line may come just after the state seen here
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> follower.log().contains("\"event\":\"scaling-verified\""));
            assertThat(follower.log()).contains("\"event\":\"leader-acquired\"");
        }
    }

    @Test
    void aChildThatHangsAndDropsOutOfConsulIsReportedAndReplaced() throws Exception {
        // a fixed port, also given as the registration port (as on a VM): the children must not inherit either
        int leaderPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            leaderPort = probe.getLocalPort();
        }
        try (AppInstance leader = AppInstance.start("unregistered-leader",
                Map.of("CONSUL_HTTP_ADDR", consulAgent.address(),
                        "FLEET_REGISTRATION_PORT", Integer.toString(leaderPort)),
                "quarkus.http.port=" + leaderPort, "fleet.registration.ttl=3s", "fleet.scaling.lock-delay=1s",
                "fleet.scaling.actuator=local", "fleet.scaling.reconcile-interval=2s",
                "fleet.scaling.verify-timeout=10s")) {
            consulAgent.consul().putKey(KEY, "2");
            await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 2);
            String child = passing().keySet().stream().filter(id -> !id.equals(leader.instanceId())).findFirst()
                    .orElseThrow();
            int port = passing().get(child);
            ProcessHandle process = instanceListeningOn(port);
            try {
                // a hung JVM: alive, but it neither heartbeats nor registers again once Consul forgets it
                signal(process, "STOP");
                consulAgent.consul().deregister(child);

                await().atMost(Duration.ofSeconds(60)).until(
                        () -> leader.log().contains("\"event\":\"unregistered-instance\""));
                assertThat(auditLine(leader, "unregistered-instance").getString("old")).startsWith("port " + port);
                // the hung one takes no traffic, so the leader starts a replacement
                await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 2
                        && !passing().containsKey(child));
            } finally {
                if (process.isAlive()) {
                    signal(process, "KILL");
                }
            }
        }
    }

    @Test
    void aVictimThatDoesNotLeaveFailsVerificationLoudlyAndIsChosenAgain() {
        try (AppInstance leader = AppInstance.start("stubborn-leader", consulAgent.address(),
                "fleet.registration.ttl=3s", "fleet.scaling.lock-delay=1s", "fleet.scaling.actuator=local",
                "fleet.scaling.reconcile-interval=2s", "fleet.scaling.verify-timeout=5s")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> leader.get("/api/fleet/leader").body()
                    .contains("\"leader\":true"));
            // an instance without the scaling feature does not watch its drain key: it never leaves
            try (AppInstance stubborn = AppInstance.start("stubborn-victim", consulAgent.address(),
                    "fleet.registration.ttl=3s", "fleet.scaling.enabled=false")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> passing().size() == 2);
                consulAgent.consul().putKey(KEY, "1");

                await().atMost(Duration.ofSeconds(60)).until(() -> leader.log().lines()
                        .filter(line -> line.contains("\"event\":\"victims-chosen\"")
                                && line.contains(stubborn.instanceId()))
                        .count() >= 2);
                JsonObject failed = auditLine(leader, "scaling-verification-failed");
                assertThat(failed.getString("reason")).contains(stubborn.instanceId());
                assertThat(leader.log()).contains("did not converge");
                assertThat(leader.get("/q/metrics").body())
                        .containsPattern("fleet_scaling_verification_failures_total [1-9]");
                assertThat(stubborn.isAlive()).isTrue();
                assertThat(passing()).containsKeys(leader.instanceId(), stubborn.instanceId());
            }
        }
    }

    @Test
    void theChildrenHaveLeftConsulAndEndedWhenTheLeaderExits() {
        ProcessHandle child;
        try (AppInstance leader = AppInstance.start("parent-leader", consulAgent.address(), "fleet.registration.ttl=3s",
                "fleet.scaling.lock-delay=1s", "fleet.scaling.actuator=local", "fleet.scaling.reconcile-interval=2s")) {
            consulAgent.consul().putKey(KEY, "2");
            await().atMost(Duration.ofSeconds(90)).until(() -> passing().size() == 2);
            child = instanceListeningOn(passing().entrySet().stream().filter(e -> !e.getKey().equals(leader.instanceId()))
                    .findFirst().orElseThrow().getValue());

            leader.stopGracefully();
        }
        // the leader stopped its children and waited for them, rather than leaving them to notice its end
        assertThat(child.isAlive()).isFalse();
        assertThat(consulAgent.consul().health("fleet-service")).isEmpty();
    }

    /** The JVM of an instance started with this HTTP port. */
    private static ProcessHandle instanceListeningOn(int port) {
        return ProcessHandle.allProcesses()
                .filter(candidate -> candidate.info().command().orElse("").endsWith("java")
                        && List.of(candidate.info().arguments().orElse(new String[0]))
                                .contains("-Dquarkus.http.port=" + port))
                .findFirst().orElseThrow();
    }

    private static void signal(ProcessHandle process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
                .as("kill -%s %d", signal, process.pid()).isTrue();
    }

    private static List<String> events(AppInstance app, String traceId) {
        return app.log().lines().filter(line -> line.contains("[fleet.audit]") && line.contains(traceId))
                .map(line -> new JsonObject(line.substring(line.indexOf('{'))).getString("event")).toList();
    }

    private static JsonObject auditLine(AppInstance app, String event) {
        return app.log().lines().filter(line -> line.contains("[fleet.audit]"))
                .filter(line -> line.contains("\"event\":\"" + event + "\""))
                .map(line -> new JsonObject(line.substring(line.indexOf('{')))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + event + " line in the log"));
    }
}
