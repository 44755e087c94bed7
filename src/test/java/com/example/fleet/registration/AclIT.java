package com.example.fleet.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;

/** An agent with ACLs on and default policy deny. */
class AclIT {

    private static final String TOKEN = ConsulDevAgent.newToken();
    private static ConsulDevAgent agent;
    private static ConsulApi consul;

    @BeforeAll
    static void startAgent() {
        agent = ConsulDevAgent.start(Optional.of(TOKEN));
        consul = new ConsulApi(agent.address(), Optional.of(TOKEN));
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @Test
    void registersWithTheTokenAndNeverShowsIt() {
        try (AppInstance app = AppInstance.start("acl-token",
                Map.of("CONSUL_HTTP_ADDR", agent.address(), "CONSUL_HTTP_TOKEN", TOKEN))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consul.checkStatus(app.instanceId() + ":ttl"),
                    equalTo(Optional.of("passing")));
            // Consul shows the check as soon as the registration lands; readiness follows once it is read back
            await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/q/health/ready").statusCode() == 200);
            assertThat(app.get("/q/health/ready").body()).doesNotContain(TOKEN);
            app.stopGracefully();
            assertThat(consul.agentServices().containsKey(app.instanceId())).isFalse();
            assertThat(app.log()).doesNotContain(TOKEN);
        }
    }

    @Test
    void withoutATokenReadinessNamesTheMissingPermission() {
        try (AppInstance app = AppInstance.start("acl-none", agent.address())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = app.get("/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("service:write on \\\"fleet-service\\\"", "CONSUL_HTTP_TOKEN");
            });
            assertThat(app.log()).contains("ERROR").contains("needs service:write on \"fleet-service\"");
            assertThat(consul.agentServices().containsKey(app.instanceId())).isFalse();
        }
    }
}
