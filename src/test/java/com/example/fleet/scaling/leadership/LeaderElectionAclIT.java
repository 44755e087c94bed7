package com.example.fleet.scaling.leadership;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import static com.example.fleet.scaling.leadership.LeaderElectionIT.agreedLeader;
import static com.example.fleet.scaling.leadership.LeaderElectionIT.leader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election on an ACL default-deny agent, with instances whose token gets session:write only after they
 * started: the election goes on without a restart once Consul grants it.
 */
class LeaderElectionAclIT {

    private static final String POLICY = "fleet-service-instance";
    /** What an instance needs besides sessions: register and heartbeat, read its config and the fleet, own its keys. */
    private static final String WITHOUT_SESSIONS = """
            service "fleet-service" { policy = "write" }
            node_prefix "" { policy = "read" }
            key_prefix "config/fleet-service/" { policy = "read" }
            key_prefix "service/fleet-service/" { policy = "write" }
            """;
    private static final String WITH_SESSIONS = WITHOUT_SESSIONS + """
            session_prefix "" { policy = "write" }
            """;
    private static final Duration STARTED = Duration.ofSeconds(60);
    /** Session creation retries at least every 5 s; the rest is margin for a busy machine. */
    private static final Duration AFTER_GRANT = Duration.ofSeconds(20);

    private final String master = ConsulDevAgent.newToken();
    private ConsulDevAgent agent;
    private ConsulApi consul;
    private String policyId;
    private String token;

    @BeforeEach
    void agentWithATokenThatLacksSessionWrite() {
        agent = ConsulDevAgent.start(Optional.of(master));
        consul = new ConsulApi(agent.address(), Optional.of(master));
        // the master token works once the agent has elected itself leader
        policyId = await().atMost(STARTED).ignoreExceptions()
                .until(() -> consul.createPolicy(POLICY, WITHOUT_SESSIONS), Objects::nonNull);
        token = consul.createToken(POLICY);
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private AppInstance instance(String name) {
        return instance(name, token);
    }

    private AppInstance instance(String name, String token) {
        return AppInstance.start(name, Map.of("CONSUL_HTTP_ADDR", agent.address(), "CONSUL_HTTP_TOKEN", token),
                "fleet.registration.ttl=3s", "fleet.scaling.session-ttl=10s", "fleet.scaling.lock-delay=1s");
    }

    /** Waits until the instance has registered and been refused a session for the missing permission. */
    private static void refusedASession(AppInstance app) {
        await().atMost(STARTED).until(() -> app.log().contains("Consul refused to create a session")
                && app.log().contains("needs session:write"));
        assertThat(leader(app).getBoolean("leader")).isFalse();
    }

    private void grantSessionWrite() {
        consul.updatePolicy(policyId, POLICY, WITH_SESSIONS);
    }

    @Test
    void anInstanceGrantedSessionWriteAfterItStartedLeadsWithoutARestart() {
        try (AppInstance app = instance("acl-late-session")) {
            refusedASession(app);

            grantSessionWrite();

            await().atMost(AFTER_GRANT).until(() -> leader(app).getBoolean("leader", false));
            assertThat(leader(app).getString("leaderId")).isEqualTo(app.instanceId());
            // the audit line follows the leadership by a moment: /api/fleet/leader may say so first
            await().atMost(AFTER_GRANT).until(() -> app.log().contains("\"event\":\"leader-acquired\""));
            assertThat(app.log()).doesNotContain(token).doesNotContain(master);
        }
    }

    @Test
    void twoInstancesGrantedSessionWriteLateAgreeOnExactlyOneLeader() {
        try (AppInstance a = instance("acl-late-a"); AppInstance b = instance("acl-late-b")) {
            List<AppInstance> both = List.of(a, b);
            both.forEach(LeaderElectionAclIT::refusedASession);

            grantSessionWrite();

            await().atMost(AFTER_GRANT).until(() -> agreedLeader(both).isPresent());
            AppInstance first = agreedLeader(both).orElseThrow();
            // and it stays that way: the other one does not take over or lead as well
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                    .until(() -> agreedLeader(both).equals(Optional.of(first)));
        }
    }

    @Test
    void aLeaderWhoseTokenCannotReadNodesSeesNoFleetAndDoesNotScaleOnIt() {
        String noNodeRead = WITH_SESSIONS.replace("node_prefix \"\" { policy = \"read\" }", "");
        consul.createPolicy("fleet-service-blind", noNodeRead);
        try (AppInstance app = instance("acl-blind", consul.createToken("fleet-service-blind"))) {
            await().atMost(STARTED).until(() -> leader(app).getBoolean("leader", false));
            consul.putKey("config/fleet-service/replicas", "2");

            // Consul filters every entry out of the health answer: without the guard, zero passing would start two
            await().atMost(Duration.ofSeconds(30)).until(() -> app.log().contains("Not scaling fleet-service:"
                    + " Consul's answer (0 instance(s)) does not list this leader"));
            assertThat(app.log()).contains("needs node:read").doesNotContain("would start");
        }
    }
}
