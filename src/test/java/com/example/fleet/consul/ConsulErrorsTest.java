package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.ConsulDevAgent;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.ext.consul.ServiceOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/** What the Vert.x client reports for the answers a real Consul 1.8.7 agent with ACLs gives, and how it reads. */
class ConsulErrorsTest {

    private static final String MASTER = ConsulDevAgent.newToken();
    private static ConsulDevAgent agent;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        agent = ConsulDevAgent.start(Optional.of(MASTER));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.closeAndAwait();
        agent.close();
    }

    private static ConsulClient client(int port, Optional<String> token) {
        ConsulClientOptions options = new ConsulClientOptions().setHost("127.0.0.1").setPort(port).setTimeout(5_000);
        token.ifPresent(options::setAclToken);
        return ConsulClient.create(vertx, options);
    }

    private static Throwable failureOf(Uni<?> request) {
        Throwable failure = catchThrowable(() -> request.await().atMost(Duration.ofSeconds(10)));
        assertThat(failure).as("the agent refused the request").isNotNull();
        return failure;
    }

    private static ServiceOptions service() {
        return new ServiceOptions().setId("errors-1").setName("errors").setPort(7000);
    }

    @Test
    void aMissingPermissionIsAccessDeniedAndTheMessageNamesIt() {
        Throwable denied = failureOf(client(agent.httpPort(), Optional.empty()).registerService(service()));

        assertThat(ConsulErrors.isAccessDenied(denied)).isTrue();
        assertThat(ConsulErrors.isUnknownCheck(denied)).isFalse();
        assertThat(ConsulErrors.describe(denied, "register errors-1", "service:write on \"errors\"",
                ConsulToken.of(Optional.empty(), Optional.empty()).source()))
                .contains("the ACL token (CONSUL_HTTP_TOKEN) needs service:write on \"errors\"", "Permission denied");
    }

    @Test
    void anUnknownTokenIsAccessDeniedAndSaidToBeUnknown() {
        String unknown = UUID.randomUUID().toString();
        Throwable denied = failureOf(client(agent.httpPort(), Optional.of(unknown)).registerService(service()));

        assertThat(ConsulErrors.isAccessDenied(denied)).isTrue();
        assertThat(ConsulErrors.describe(denied, "register errors-1", "service:write", "(CONSUL_HTTP_TOKEN)"))
                .contains("unknown to Consul (ACL not found)").doesNotContain(unknown);
    }

    @Test
    void aTokenRefusedFromATokenFileNamesTheFileSettingNotTheVariable(@TempDir Path dir) throws Exception {
        String unknown = UUID.randomUUID().toString();
        Path file = Files.writeString(dir.resolve("token"), unknown + "\n");
        ConsulToken token = ConsulToken.of(Optional.of(MASTER), Optional.of(file));
        Throwable denied = failureOf(client(agent.httpPort(), token.current()).registerService(service()));

        assertThat(ConsulErrors.describe(denied, "register errors-1", "service:write", token.source()))
                .contains("the ACL token in " + file + " (fleet.consul.token-file, CONSUL_HTTP_TOKEN_FILE) needs"
                        + " service:write")
                .doesNotContain("(CONSUL_HTTP_TOKEN)").doesNotContain(unknown);
    }

    @Test
    void aHeartbeatForACheckTheAgentLostIsAnUnknownCheck() {
        Throwable lost = failureOf(client(agent.httpPort(), Optional.of(MASTER)).passCheck("errors-1:ttl"));

        assertThat(ConsulErrors.isUnknownCheck(lost)).isTrue();
        assertThat(ConsulErrors.isAccessDenied(lost)).isFalse();
    }

    @Test
    void renewingASessionConsulNoLongerHasIsSessionNotFound() {
        ConsulClient consul = client(agent.httpPort(), Optional.of(MASTER));
        String session = consul.createSession().await().atMost(Duration.ofSeconds(10));
        Throwable refused = failureOf(client(agent.httpPort(), Optional.empty()).renewSession(session));
        consul.destroySession(session).await().atMost(Duration.ofSeconds(10));

        Throwable gone = failureOf(consul.renewSession(session));

        assertThat(ConsulErrors.isSessionNotFound(gone)).isTrue();
        assertThat(ConsulErrors.isSessionNotFound(refused)).as("a refusal is not a lost session").isFalse();
        assertThat(ConsulErrors.isAccessDenied(refused)).isTrue();
    }

    @Test
    void anAgentThatDoesNotListenIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Throwable refused = failureOf(client(closedPort, Optional.of(MASTER)).registerService(service()));

        assertThat(ConsulErrors.isAccessDenied(refused)).isFalse();
        assertThat(ConsulErrors.isConsulSide(refused)).isTrue();
        assertThat(ConsulErrors.describe(refused, "register errors-1", "service:write", "(CONSUL_HTTP_TOKEN)"))
                .isEqualTo("Consul agent unreachable while trying to register errors-1 (connection refused)");
    }

    @Test
    void refusalsAreConsulsSideAndABugOfTheCallerIsNot() {
        Throwable denied = failureOf(client(agent.httpPort(), Optional.empty()).registerService(service()));

        assertThat(ConsulErrors.isConsulSide(denied)).isTrue();
        assertThat(ConsulErrors.isConsulSide(new IllegalStateException("a bug"))).isFalse();
        assertThat(ConsulErrors.isConsulSide(new NullPointerException())).isFalse();
    }
}
