package com.example.fleet.consul;

import static com.example.fleet.testing.RotatedFiles.replace;
import static com.example.fleet.testing.RotatedFiles.replacePair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.consul.tls.TestTls;
import com.example.fleet.consul.tls.TlsFailures;
import com.example.fleet.consul.tls.TlsSettings;
import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.ConsulDevAgent;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Every kind of client {@link ConsulClients} makes follows the TLS files, against a real agent that requires client
 * certificates: a pair of a CA the agent does not know, written in place, is presented by the next requests of each
 * (which the agent refuses), and a new pair of its own CA after it is presented again, without a new client.
 */
class TlsRotationAgentTest {

    @TempDir
    static Path dir;
    private static ConsulCertificates trusted;
    private static ConsulDevAgent agent;
    private static Vertx vertx;
    private static Path live;

    @BeforeAll
    static void start() throws Exception {
        trusted = ConsulCertificates.create(dir.resolve("trusted"));
        agent = ConsulDevAgent.startWithHttps(trusted, true);
        vertx = Vertx.vertx();
        live = Files.createDirectories(dir.resolve("live"));
        replace(live.resolve("ca.pem"), trusted.ca());
        replace(live.resolve("client.pem"), trusted.clientCert());
        replace(live.resolve("client-key.pem"), trusted.clientKey());
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static void installPair(ConsulCertificates pair) {
        replacePair(live.resolve("client.pem"), live.resolve("client-key.pem"),
                List.of(pair.clientCert(), pair.clientKey()));
    }

    /** What each request answers: "ok", or the TLS failure as {@link TlsFailures} words it. */
    private static String outcome(Uni<?> request) {
        try {
            request.await().atMost(Duration.ofSeconds(10));
            return "ok";
        } catch (RuntimeException e) {
            return TlsFailures.describe(e).orElse("not TLS: " + e);
        }
    }

    @Test
    void theSharedClientWatchClientsAndKeyReadsPresentThePairInTheFilesNow() throws Exception {
        ConsulClients clients = new ConsulClients(vertx, new Settings(ConsulAddress.parse(agent.httpsAddress(),
                "test"), new TestTls(live.resolve("ca.pem"), null, live.resolve("client.pem"),
                live.resolve("client-key.pem"), null)));
        ConsulClient shared = clients.create(Duration.ofSeconds(5));
        WatchTiming timing = new WatchTiming(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(1));
        ConsulClient watches = clients.forWatch(timing);
        KeyReader keys = clients.keyReader(timing);
        List<Supplier<String>> requests = List.of(() -> outcome(shared.leaderStatus()),
                () -> outcome(watches.catalogServices()), () -> outcome(keys.read("any")));
        try {
            assertThat(requests).allSatisfy(request -> assertThat(request.get()).isEqualTo("ok"));

            installPair(ConsulCertificates.create(dir.resolve("unknown")));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(requests).allSatisfy(request ->
                    assertThat(request.get()).contains("the agent refused this client's certificate")));

            installPair(trusted.withNewClientPair());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(requests)
                    .allSatisfy(request -> assertThat(request.get()).isEqualTo("ok")));
            assertThat(clients.tlsFiles().current().client().orElseThrow().certFile())
                    .isEqualTo(live.resolve("client.pem"));
        } finally {
            shared.close();
            watches.close();
            keys.close();
            clients.stopWatchingTheFiles();
        }
    }

    private record Settings(ConsulAddress address, TlsSettings tls) implements ConsulSettings {
        @Override
        public Optional<String> token() {
            return Optional.empty();
        }

        @Override
        public Optional<Path> tokenFile() {
            return Optional.empty();
        }

        @Override
        public Duration requestTimeout() {
            return Duration.ofSeconds(3);
        }

        @Override
        public ConfigMode configMode() {
            return ConfigMode.OFF;
        }

        @Override
        public Optional<List<String>> configKeys() {
            return Optional.empty();
        }

        @Override
        public String configPrefix() {
            return "config/test";
        }

        @Override
        public DevAgent devAgent() {
            throw new UnsupportedOperationException("no dev agent here");
        }
    }
}
