package com.example.fleet.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.VanishingAgentProxy;

import io.vertx.core.json.JsonObject;

/** The packaged application as real processes against a real Consul agent. */
class FleetRegistrationIT {

    private static final String TTL = "3s";
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

    private static AppInstance instance(String name, String... properties) {
        String[] all = new String[properties.length + 1];
        all[0] = "fleet.registration.ttl=" + TTL;
        System.arraycopy(properties, 0, all, 1, properties.length);
        return AppInstance.start(name, agent.address(), all);
    }

    private static void awaitPassing(AppInstance app) {
        await().atMost(Duration.ofSeconds(60)).until(() -> consul.checkStatus(app.instanceId() + ":ttl"),
                equalTo(Optional.of("passing")));
    }

    @Test
    void twoInstancesOnOneAgentGetTwoEntriesWithTheirRealPorts() {
        try (AppInstance first = instance("two-a"); AppInstance second = instance("two-b")) {
            awaitPassing(first);
            awaitPassing(second);
            assertThat(first.port()).isNotEqualTo(second.port());
            JsonObject services = consul.agentServices();
            assertThat(services.getJsonObject(first.instanceId()).getInteger("Port")).isEqualTo(first.port());
            assertThat(services.getJsonObject(second.instanceId()).getInteger("Port")).isEqualTo(second.port());
            assertThat(consul.health("fleet-service")).hasSize(2);
            // each entry leads to the instance it names
            assertThat(new JsonObject(first.get("/api/hello").body()).getString("instance")).isEqualTo(first.instanceId());
            assertThat(new JsonObject(second.get("/api/hello").body()).getString("instance"))
                    .isEqualTo(second.instanceId());
        }
    }

    @Test
    void gracefulStopLeavesConsulFirstAndStillFinishesTheRequestInFlight() {
        try (AppInstance app = instance("graceful")) {
            awaitPassing(app);
            String id = app.instanceId();
            CompletableFuture<HttpResponse<String>> slow = app.getAsync("/api/work?millis=6000");
            await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/q/metrics").body()
                    .matches("(?s).*http_server_active_requests(\\{[^}]*})? [1-9].*"));

            app.signalStop();
            await().atMost(Duration.ofSeconds(5)).until(() -> !consul.agentServices().containsKey(id));
            assertThat(slow).as("the request is still in flight when the entry is gone").isNotDone();

            HttpResponse<String> answer = slow.join();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("worked 6000 ms");
            // 128 + SIGTERM: how a JVM reports a stop by signal, after its shutdown ran to the end
            assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(app.log()).contains("All HTTP requests complete").doesNotContain("Timed out waiting");
            assertThat(consul.agentServices().containsKey(id)).isFalse();
            assertThat(app.log()).contains("Deregistered " + id);
        }
    }

    @Test
    void killedInstanceLeavesACheckThatTurnsCriticalAfterItsTtl() {
        try (AppInstance app = instance("killed")) {
            awaitPassing(app);
            String check = app.instanceId() + ":ttl";
            app.kill();
            await().atMost(Duration.ofSeconds(15)).until(() -> consul.checkStatus(check),
                    equalTo(Optional.of("critical")));
            assertThat(consul.health("fleet-service").stream().map(JsonObject.class::cast)
                    .map(entry -> entry.getJsonObject("Service").getString("ID"))).contains(app.instanceId());
        }
    }

    @Test
    void startsWithoutAReachableAgentAndRegistersOnceItAnswers() {
        ConsulDevAgent late = ConsulDevAgent.start();
        late.stop();
        try (AppInstance app = AppInstance.start("late-agent", late.address(), "fleet.registration.ttl=" + TTL,
                "fleet.registration.retry-max-delay=1s")) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = app.get("/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("unreachable");
            });
            assertThat(app.get("/api/hello").statusCode()).isEqualTo(200);

            late.restart();
            ConsulApi lateConsul = new ConsulApi(late.address());
            await().atMost(Duration.ofSeconds(30)).until(() -> lateConsul.checkStatus(app.instanceId() + ":ttl"),
                    equalTo(Optional.of("passing")));
            await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        } finally {
            late.close();
        }
    }

    @Test
    void aDeregistrationThatCannotBeVerifiedIsReportedWithTheInstanceLeftBehind() {
        ConsulDevAgent doomed = ConsulDevAgent.start();
        try (AppInstance app = AppInstance.start("doomed-agent", doomed.address(), "fleet.registration.ttl=" + TTL,
                "fleet.registration.deregister-attempts=2")) {
            ConsulApi doomedConsul = new ConsulApi(doomed.address());
            await().atMost(Duration.ofSeconds(60)).until(() -> doomedConsul.checkStatus(app.instanceId() + ":ttl"),
                    equalTo(Optional.of("passing")));
            // ready means the instance read its registration back: the agent dies after that, not during it
            await().atMost(Duration.ofSeconds(30)).until(() -> app.get("/q/health/ready").statusCode() == 200);
            doomed.kill();
            app.stopGracefully();
            assertThat(app.log()).contains("ERROR")
                    .contains("Could not deregister Consul service instance '" + app.instanceId() + "'")
                    .contains("after 2 attempts");
        } finally {
            doomed.close();
        }
    }

    @Test
    void leavingAnAgentThatIsGoneEndsAtTheLeaveTimeoutWhateverTheAttemptsLeft() {
        ConsulDevAgent doomed = ConsulDevAgent.start();
        try (AppInstance app = AppInstance.start("leave-timeout", doomed.address(), "fleet.registration.ttl=" + TTL,
                "fleet.registration.deregister-attempts=1000", "fleet.registration.leave-timeout=2s")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
            doomed.kill();
            app.stopGracefully();
            // a thousand attempts with back-off would take hours: the shutdown went on to the drain and the exit
            assertThat(app.isAlive()).isFalse();
            assertThat(app.log()).contains("Could not deregister Consul service instance '" + app.instanceId() + "'")
                    .contains("what was left of fleet.registration.leave-timeout (PT2S)")
                    .contains("fleet-service stopped in");
        } finally {
            doomed.close();
        }
    }

    @Test
    void aRegistrationTheAgentAcceptedIsReportedLeftBehindEvenWhenItsReadBackNeverCame() {
        try (ConsulDevAgent own = ConsulDevAgent.start();
                VanishingAgentProxy proxy = VanishingAgentProxy.inFrontOf(own.httpPort());
                AppInstance app = AppInstance.start("vanishing-agent", proxy.address(), "fleet.registration.ttl=" + TTL,
                        "fleet.registration.deregister-attempts=2")) {
            ConsulApi ownConsul = new ConsulApi(own.address());
            await().atMost(Duration.ofSeconds(60)).until(() -> ownConsul.agentServices().containsKey(app.instanceId()));
            assertThat(proxy.hasVanished()).isTrue();
            // the read-back found the proxy gone: the instance cannot know the agent holds its registration
            await().atMost(Duration.ofSeconds(30)).until(() -> app.log()
                    .contains("Consul agent unreachable while trying to register " + app.instanceId()));

            app.stopGracefully();

            assertThat(app.log()).doesNotContain("never reached Consul")
                    .contains("Could not deregister Consul service instance '" + app.instanceId() + "'")
                    .contains("after 2 attempts");
            assertThat(ownConsul.agentServices().containsKey(app.instanceId()))
                    .as("the agent still holds the registration the instance reported as left behind").isTrue();
        }
    }
}
