package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/**
 * A token rotated under load on an ACL default-deny agent, the way a Secret mounted as a file is: a new token is
 * created, the file is replaced atomically, the old token is deleted. The instances follow the file; their
 * tokens hold exactly the policy the project ships.
 */
class TokenRotationIT {

    private static final String POLICY = "fleet-service";
    /** The policy the project ships: the instances run with exactly what it grants. */
    private static final Path RULES = Path.of("src", "main", "consul", "fleet-service-policy.hcl");
    private static final String GREETING = "Hello, read with the token from the file";

    @TempDir
    Path dir;

    private final String master = ConsulDevAgent.newToken();
    private ConsulDevAgent agent;
    private ConsulApi admin;

    @BeforeEach
    void aclAgent() throws Exception {
        agent = ConsulDevAgent.start(Optional.of(master));
        admin = new ConsulApi(agent.address(), Optional.of(master));
        String rules = Files.readString(RULES);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.createPolicy(POLICY, rules),
                Objects::nonNull);
        admin.putKey("config/fleet-service/greeting/message", GREETING);
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private AppInstance instance(String name, Path tokenFile) {
        return AppInstance.start(name, Map.of("CONSUL_HTTP_ADDR", agent.address(), "CONSUL_HTTP_TOKEN_FILE",
                tokenFile.toString()), "fleet.registration.ttl=3s", "fleet.scaling.session-ttl=10s",
                "fleet.scaling.lock-delay=1s");
    }

    private static JsonObject leader(AppInstance app) {
        return new JsonObject(app.get("/api/fleet/leader").body());
    }

    @Test
    void aRotatedTokenFileCostsNoCallNoRegistrationAndNoLeadership() throws Exception {
        String oldToken = admin.createToken(POLICY);
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, oldToken + "\n");

        try (AppInstance first = instance("rotation-first", tokenFile);
                AppInstance second = instance("rotation-second", tokenFile)) {
            for (AppInstance app : new AppInstance[] { first, second }) {
                await().atMost(Duration.ofSeconds(60)).until(() -> admin.checkStatus(app.instanceId() + ":ttl")
                        .equals(Optional.of("passing")));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> leader(first).getString("leaderId") != null);
            // configuration from KV, read at startup with the token from the file
            assertThat(first.get("/api/hello").body()).contains(GREETING);
            String fleetLeader = leader(first).getString("leaderId");

            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + first.port() + "/api/fleet/call"),
                    4)) {
                awaitSuccesses(load, 200);
                String newToken = admin.createToken(POLICY);
                Path next = dir.resolve("token.next");
                Files.writeString(next, newToken + "\n");
                Files.move(next, tokenFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                for (AppInstance app : new AppInstance[] { first, second }) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> app.log().contains("registering "
                            + app.instanceId() + " again with it"));
                }
                admin.deleteToken(new ConsulApi(agent.address(), Optional.of(oldToken)).ownAccessorId());

                // heartbeats, watches, the leader's session and calls go on with the new token
                awaitSuccesses(load, 300);
                await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).until(() ->
                        admin.checkStatus(first.instanceId() + ":ttl").equals(Optional.of("passing"))
                                && admin.checkStatus(second.instanceId() + ":ttl").equals(Optional.of("passing"))
                                && fleetLeader.equals(leader(second).getString("leaderId")));
                load.stop();
                assertThat(load.failures()).as("calls during the rotation").isEmpty();
            }

            // the entry was registered again with the new token: leaving still reaches the catalog (no ghost)
            second.stopGracefully();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.health("fleet-service").stream()
                    .map(JsonObject.class::cast)
                    .noneMatch(entry -> entry.getJsonObject("Service").getString("ID").equals(second.instanceId())));
            assertThat(first.log()).doesNotContain("ACL not found");
        }
    }

    private static void awaitSuccesses(LoadDriver load, long count) {
        long target = load.successes() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> load.successes() >= target);
    }
}
