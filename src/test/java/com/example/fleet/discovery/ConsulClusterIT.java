package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static com.example.fleet.testing.RotatedFiles.replace;
import static com.example.fleet.testing.RotatedFiles.replacePair;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ClusterCertificates;
import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.ConsulCluster;
import com.example.fleet.testing.LeadershipSampler;
import com.example.fleet.testing.LoadDriver;
import com.example.fleet.testing.TcpRelay;

import io.vertx.core.json.JsonObject;

/**
 * The fleet on a Consul cluster as production runs it (three servers, two client agents, TLS with client
 * certificates, ACL default-deny, instances holding a token of the shipped policy), each instance registered
 * through a different client agent, as on nodes of their own; then faults under load, every call counted.
 */
// ITs run two classes at a time (pom.xml, failsafe): long and mostly waiting on the cluster: next to the nested build
@Order(2)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsulClusterIT {

    @RegisterExtension
    static final ConsulCluster CLUSTER = ConsulCluster.of(3, 2);

    private static final Duration SESSION_TTL = Duration.ofSeconds(10);
    private static final Duration LOCK_DELAY = Duration.ofSeconds(1);
    /** The instances the current test started. */
    private static final List<AppInstance> STARTED = new CopyOnWriteArrayList<>();

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

    private static AppInstance instance(String name, ConsulCluster.Agent node) {
        return instance(name, node, CLUSTER.instanceTokenFile());
    }

    private static AppInstance instance(String name, ConsulCluster.Agent node, Path tokenFile) {
        return instance(name, CLUSTER.instanceEnvironment(node, tokenFile));
    }

    private static AppInstance instance(String name, Map<String, String> environment) {
        AppInstance app = AppInstance.start(name, environment,
                "fleet.registration.ttl=3s", "fleet.scaling.session-ttl=" + SESSION_TTL.toSeconds() + "s",
                "fleet.scaling.lock-delay=" + LOCK_DELAY.toSeconds() + "s");
        STARTED.add(app);
        return app;
    }

    /**
     * Every instance a test started has stopped gracefully, so none may stay in the catalog. Consul itself would
     * remove an entry left behind after {@code deregister_critical_service_after} (1 minute) plus its reaping
     * interval; an entry still there after 10 s is reported with the logs of the test's instances, and the test
     * fails if Consul's own clean-up has not removed it either, so the next test starts from an empty catalog.
     */
    @AfterEach
    void everyStoppedInstanceLeftTheCatalog() {
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> CLUSTER.admin().health("fleet-service").isEmpty());
        } catch (ConditionTimeoutException e) {
            System.out.printf("entries left in the catalog after the test's instances stopped: %s%n",
                    CLUSTER.admin().health("fleet-service").encode());
            STARTED.forEach(app -> System.out.printf("--- log of %s (port %d):%n%s%n", app.instanceId(), app.port(),
                    app.log().lines().filter(line -> !line.contains("SRHCK01001")).collect(Collectors.joining("\n"))));
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(CLUSTER.admin()
                    .health("fleet-service")).as("entries left behind after every instance stopped").isEmpty());
        } finally {
            STARTED.clear();
        }
    }

    private static boolean leads(AppInstance app) {
        return new JsonObject(app.get("/api/fleet/leader").body()).getBoolean("leader");
    }

    private static void awaitReady(AppInstance... apps) {
        for (AppInstance app : apps) {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        }
    }

    private static List<Integer> ports(AppInstance... apps) {
        return Stream.of(apps).map(AppInstance::port).sorted().toList();
    }

    /** One instance on the node of each client agent, both ready, each in the other's pool, one of them leading. */
    private record Pair(AppInstance first, AppInstance second) implements AutoCloseable {

        static Pair start(String prefix, Path tokenFile) {
            return start(prefix, node -> CLUSTER.instanceEnvironment(node, tokenFile));
        }

        /** With the environment {@code environment} gives an instance on the node of each client agent. */
        static Pair start(String prefix, Function<ConsulCluster.Agent, Map<String, String>> environment) {
            Pair pair = new Pair(instance(prefix + "-a", environment.apply(CLUSTER.clients().get(0))),
                    instance(prefix + "-b", environment.apply(CLUSTER.clients().get(1))));
            try {
                awaitReady(pair.first, pair.second);
                List<Integer> both = pair.ports();
                await().atMost(Duration.ofSeconds(60)).until(() -> View.of(pair.first).ports().equals(both)
                        && View.of(pair.second).ports().equals(both));
                await().atMost(Duration.ofSeconds(60)).until(() -> leads(pair.first) || leads(pair.second));
                return pair;
            } catch (RuntimeException e) {
                pair.close();
                throw e;
            }
        }

        List<Integer> ports() {
            return ConsulClusterIT.ports(first, second);
        }

        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    @Test
    void instancesBehindDifferentAgentsFindEachOtherAndCallsOutliveTheRaftLeader() throws Exception {
        try (Pair pair = Pair.start("cluster", CLUSTER.instanceTokenFile())) {
            AppInstance first = pair.first();
            AppInstance second = pair.second();
            List<Integer> both = pair.ports();
            // each instance is listed on the node of the agent it registered through
            Map<Integer, String> nodeByPort = CLUSTER.admin().health("fleet-service").stream()
                    .map(JsonObject.class::cast).collect(Collectors.toMap(
                            entry -> entry.getJsonObject("Service").getInteger("Port"),
                            entry -> entry.getJsonObject("Node").getString("Address")));
            assertThat(nodeByPort).containsEntry(first.port(), CLUSTER.clients().get(0).host())
                    .containsEntry(second.port(), CLUSTER.clients().get(1).host());

            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + first.port() + "/api/fleet/call"),
                    4); LeadershipSampler leadership = LeadershipSampler.start(first, second)) {
                awaitSuccesses(load, 200);
                ConsulCluster.Agent lost = CLUSTER.raftLeader().orElseThrow();
                long killed = System.nanoTime();
                lost.kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> CLUSTER.raftLeader()
                        .filter(leader -> leader != lost).isPresent());
                System.out.printf("Raft leader killed: a new one after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
                // watches resume on the new leader without having emptied the pool; both instances stay registered
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> View.of(first).equals(new View(both, Optional.empty())));
                awaitSuccesses(load, 200);
                load.stop();
                assertThat(load.failures()).as("calls while the Raft leader was lost").isEmpty();
                assertThat(load.answeredBy()).containsKeys(first.instanceId(), second.instanceId());
                assertThat(CLUSTER.admin().health("fleet-service")).hasSize(2);
                assertThat(leadership.overlaps()).as("moments two instances both led").isZero();
                assertThat(leadership.handOvers()).as("fleet leader changes").isLessThanOrEqualTo(1);
            } finally {
                everyAgentBack();
            }
        }
    }

    @Test
    void whenTheFleetLeadersAgentDiesItsInstanceLeavesThePoolsAnotherLeadsAndItRegistersAgainOnItsReturn()
            throws Exception {
        ConsulCluster.Agent lostNode = CLUSTER.clients().get(0);
        ConsulCluster.Agent nodeB = CLUSTER.clients().get(1);
        CLUSTER.admin().putKey("config/fleet-service/replicas", "2");
        try (AppInstance orphan = instance("cluster-orphan", lostNode)) {
            // the instance that will lose its agent leads: started alone first
            await().atMost(Duration.ofSeconds(60)).until(() -> leads(orphan));
            try (AppInstance survivor = instance("cluster-survivor", nodeB)) {
                awaitReady(survivor);
                List<Integer> both = ports(orphan, survivor);
                await().atMost(Duration.ofSeconds(60)).until(() -> View.of(survivor).ports().equals(both));
                try (LoadDriver load = LoadDriver.start(
                        URI.create("http://127.0.0.1:" + survivor.port() + "/api/fleet/call"), 4);
                        LeadershipSampler leadership = LeadershipSampler.start(orphan, survivor)) {
                    awaitSuccesses(load, 200);
                    long killed = System.nanoTime();
                    lostNode.kill();
                    // the servers' failure detection marks the node's serfHealth critical: its instances leave
                    // ?passing, and the session tied to the node ends
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> View.of(survivor).ports().equals(List.of(survivor.port())));
                    System.out.printf("instance behind a killed client agent left the pool after %d ms%n",
                            (System.nanoTime() - killed) / 1_000_000);
                    await().atMost(Duration.ofSeconds(60)).until(() -> leads(survivor));
                    long reElected = (System.nanoTime() - killed) / 1_000_000;
                    System.out.printf("fleet leader re-elected %d ms after its agent was killed%n", reElected);
                    assertThat(Duration.ofMillis(reElected)).isLessThan(SESSION_TTL.multipliedBy(2).plus(LOCK_DELAY));
                    // the new leader holds the same policy: two wanted, one passing
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> survivor.log().contains("would start 1 instance(s) of fleet-service"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> orphan.get("/q/health/ready").statusCode() == 503);
                    assertThat(orphan.get("/q/health/ready").body()).contains("agent");

                    lostNode.wipeData();
                    lostNode.start();
                    CLUSTER.awaitFormed();
                    long back = System.nanoTime();
                    // the agent came back without the entry: the heartbeat finds its check unknown and registers again
                    await().atMost(Duration.ofSeconds(60)).until(() -> View.of(survivor).ports().equals(both));
                    System.out.printf("instance back in the pool %d ms after its agent returned empty%n",
                            (System.nanoTime() - back) / 1_000_000);
                    await().atMost(Duration.ofSeconds(30)).until(() -> orphan.get("/q/health/ready").statusCode() == 200);
                    awaitSuccesses(load, 200);
                    load.stop();
                    assertThat(load.failures()).as("calls while a client agent was lost").isEmpty();
                    assertThat(leadership.overlaps()).as("moments two instances both led").isZero();
                    assertThat(leadership.handOvers()).as("fleet leader changes").isEqualTo(1);
                }
            }
        } finally {
            everyAgentBack();
            CLUSTER.admin().deleteKey("config/fleet-service/replicas");
        }
    }

    @Test
    void withoutQuorumPoolsKeepTheirLastSnapshotCallsGoOnAndAllResumesWhenQuorumReturns() throws Exception {
        try (Pair pair = Pair.start("quorum", CLUSTER.instanceTokenFile())) {
            AppInstance first = pair.first();
            AppInstance second = pair.second();
            List<Integer> both = pair.ports();
            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + first.port() + "/api/fleet/call"),
                    4); LeadershipSampler leadership = LeadershipSampler.start(first, second)) {
                awaitSuccesses(load, 200);
                List<ConsulCluster.Agent> lost = CLUSTER.servers().subList(0, 2);
                long killed = System.nanoTime();
                lost.forEach(ConsulCluster.Agent::kill);
                // the leader cannot renew its session: it steps down and says why (the agent answers that no server
                // can serve it, or holds the request longer than the request timeout while it looks for a leader)
                await().atMost(Duration.ofSeconds(60)).until(() -> !leads(first) && !leads(second));
                assertThat(first.log() + second.log()).containsPattern("no longer leads fleet-service: Consul (servers"
                        + " unavailable|did not answer in time) while trying to renew the leader election session");
                // still ready (the instance serves from its last view), saying what the servers cannot do: the
                // session renewal of every instance fails
                await().atMost(Duration.ofSeconds(30)).until(() -> first.get("/q/health/ready").body()
                        .contains("while trying to renew the leader election session"));
                System.out.printf("no quorum: readiness reports it after %d ms%n",
                        (System.nanoTime() - killed) / 1_000_000);
                // a watch whose blocking query the surviving server holds keeps waiting (Consul does not end it when
                // the leader is lost; it returns at its wait time), so the pool's own report depends on the server
                // the agent chose; when it reports, it names the cause
                View.of(first).problem()
                        .ifPresent(problem -> assertThat(problem).contains("Consul servers unavailable"));
                assertThat(first.get("/q/health/ready").statusCode()).isEqualTo(200);
                awaitSuccesses(load, 300);
                assertThat(View.of(first).ports()).as("the pool keeps its last good snapshot").isEqualTo(both);

                long restarted = System.nanoTime();
                lost.forEach(ConsulCluster.Agent::start);
                CLUSTER.awaitFormed();
                await().atMost(Duration.ofSeconds(60)).until(() -> View.of(first).equals(new View(both, Optional.empty())));
                await().atMost(Duration.ofSeconds(60)).until(() -> leads(first) || leads(second));
                System.out.printf("quorum back: watches and leadership resumed after %d ms%n",
                        (System.nanoTime() - restarted) / 1_000_000);
                await().atMost(Duration.ofSeconds(30)).until(() -> !first.get("/q/health/ready").body()
                        .contains("while trying to"));
                awaitSuccesses(load, 200);
                load.stop();
                assertThat(load.failures()).as("calls while the servers had no quorum").isEmpty();
                assertThat(leadership.overlaps()).as("moments two instances both led").isZero();
                assertThat(CLUSTER.admin().health("fleet-service").stream().map(JsonObject.class::cast)
                        .map(entry -> entry.getJsonObject("Service").getInteger("Port")).sorted().toList())
                        .as("registrations after quorum returned, none lost or twice").isEqualTo(both);
            } finally {
                everyAgentBack();
            }
        }
    }

    @Test
    void aTokenRotatedUnderLoadCostsNoCallNoRegistrationAndNoLeadership(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        String oldToken = CLUSTER.createInstanceToken();
        Files.writeString(tokenFile, oldToken + "\n");
        try (Pair pair = Pair.start("rotation", tokenFile)) {
            AppInstance first = pair.first();
            AppInstance second = pair.second();
            List<Integer> both = pair.ports();
            try (LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + first.port() + "/api/fleet/call"),
                    4); LeadershipSampler leadership = LeadershipSampler.start(first, second)) {
                awaitSuccesses(load, 200);
                replace(tokenFile, CLUSTER.createInstanceToken() + "\n");
                for (AppInstance app : List.of(first, second)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> app.log().contains("registering "
                            + app.instanceId() + " again with it"));
                }
                CLUSTER.deleteToken(oldToken);
                // heartbeats, watches, sessions and calls go on with the new token
                awaitSuccesses(load, 300);
                await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20))
                        .until(() -> passing().equals(both) && View.of(second).equals(new View(both, Optional.empty())));
                load.stop();
                assertThat(load.failures()).as("calls during the rotation").isEmpty();
                assertThat(leadership.overlaps()).as("moments two instances both led").isZero();
                assertThat(leadership.handOvers()).as("fleet leader changes").isZero();
            }
        }
    }

    /**
     * The TLS files rotated under load as Vault agent or cert-manager rewrite them, shared by both instances as a
     * mounted Secret would be. Each instance reaches its agent through a relay that cuts every connection after a
     * step, since agents keep open connections across a reload: the requests that follow show the material the
     * instance holds. (a) A new pair of the same CA. (b) A second CA joins the bundle, the agents move to
     * certificates of it, the first CA leaves the bundle, the pair becomes one of the second CA, and the agents stop
     * trusting the first. (c) A key of another pair, then an expired pair: refused, the last good pair stays.
     */
    @Test
    @Order(Integer.MAX_VALUE) // it leaves the cluster on another CA: the last of the class
    void certificatesRotatedUnderLoadCostNoCallNoRestartAndNoPassingCheck(@TempDir Path dir) throws Exception {
        ClusterCertificates tls = CLUSTER.certificates();
        Path first = tls.ca();
        Path ca = dir.resolve("ca.pem");
        Path cert = dir.resolve("client.pem");
        Path key = dir.resolve("client-key.pem");
        replace(ca, first);
        replacePair(cert, key, tls.instancePair());
        List<TcpRelay> relays = CLUSTER.clients().stream().map(agent -> TcpRelay.to(agent.host(), agent.apiPort()))
                .toList();
        try (Pair pair = Pair.start("tls", node -> {
            Map<String, String> environment = new HashMap<>(CLUSTER.instanceEnvironment(node,
                    CLUSTER.instanceTokenFile()));
            environment.putAll(Map.of("CONSUL_HTTP_ADDR", relays.get(CLUSTER.clients().indexOf(node)).httpsAddress(),
                    "CONSUL_CACERT", ca.toString(), "CONSUL_CLIENT_CERT", cert.toString(),
                    "CONSUL_CLIENT_KEY", key.toString()));
            return environment;
        }); LoadDriver load = LoadDriver.start(URI.create("http://127.0.0.1:" + pair.first().port()
                + "/api/fleet/call"), 4)) {
            // warm, as an instance is long before its first rotation: its calls, and new connections after a cut (in
            // a fresh clone's verify, new clients' handshakes three seconds after the start outlasted the 3 s TTL)
            awaitSuccesses(load, 2000);
            cutAndAwaitConsulAnswering(relays, pair, load);
            try (LeadershipSampler leadership = LeadershipSampler.start(pair.first(), pair.second());
                    PassingSampler passing = PassingSampler.start(pair.ports())) {
                List<Path> sameCa = tls.issueInstancePair(first, "-days=30");
                replacePair(cert, key, sameCa);
                awaitMaterialChanges(pair, 1);
                cutAndAwaitConsulAnswering(relays, pair, load);
                Instant expiry = notAfter(sameCa.get(0));
                assertThat(pair.first().get("/q/health/ready").body()).as("the new pair's expiry in readiness")
                        .contains("\"consulClientCertificateExpires\": \"" + expiry + "\"");
                assertThat(pair.first().get("/q/metrics").body().lines()
                        .filter(line -> line.startsWith("fleet_consul_client_certificate_expiry_seconds "))
                        .map(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))))
                        .as("the new pair's expiry as a gauge").containsExactly((double) expiry.getEpochSecond());

                Path second = tls.createCa("second");
                replace(ca, Files.readString(first) + Files.readString(second));
                awaitMaterialChanges(pair, 2);
                CLUSTER.trustOnAgents(List.of(first, second));
                CLUSTER.moveAgentsTo(second);
                // the agents present certificates of the second CA to new connections: the instances trust it
                cutAndAwaitConsulAnswering(relays, pair, load);
                replace(ca, second);
                awaitMaterialChanges(pair, 3);
                List<Path> secondPair = tls.issueInstancePair(second);
                replacePair(cert, key, secondPair);
                awaitMaterialChanges(pair, 4);
                tls.instancesUse(second, secondPair);
                CLUSTER.trustOnAgents(List.of(second));
                // the agents refuse the first CA's pair from now on: the instances present the second's
                cutAndAwaitConsulAnswering(relays, pair, load);

                replace(key, sameCa.get(1));
                awaitRefusal(pair, "fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + key + " is not the key of the"
                        + " certificate");
                assertThat(pair.first().get("/q/health/ready").body()).contains("consulTlsFilesRefused");
                cutAndAwaitConsulAnswering(relays, pair, load);
                List<Path> expired = ConsulCertificates.selfSignedPair(dir, "expired", "-3d", 1);
                replacePair(cert, key, expired);
                awaitRefusal(pair, "the certificate in " + cert + " (CN=expired) expired on");
                cutAndAwaitConsulAnswering(relays, pair, load);
                replacePair(cert, key, secondPair);
                for (AppInstance app : List.of(pair.first(), pair.second())) {
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> app.log().contains("Consul TLS files hold the material in use again"));
                }

                load.stop();
                assertThat(load.failures()).as("calls during the rotations").isEmpty();
                assertThat(passing.lapses()).as("moments an instance was not passing, as the servers saw it").isEmpty();
                assertThat(leadership.overlaps()).as("moments two instances both led").isZero();
                assertThat(List.of(pair.first(), pair.second())).allSatisfy(app -> {
                    assertThat(app.isAlive()).as("no restart").isTrue();
                    assertThat(app.log().lines().filter(line -> line.contains("Consul TLS files changed"))).hasSize(4);
                });
            }
        } finally {
            relays.forEach(TcpRelay::close);
        }
    }

    private static Instant notAfter(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getNotAfter()
                    .toInstant();
        }
    }

    private static void awaitMaterialChanges(Pair pair, long count) {
        for (AppInstance app : List.of(pair.first(), pair.second())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> app.log().lines()
                    .filter(line -> line.contains("Consul TLS files changed")).count() == count);
        }
    }

    private static void awaitRefusal(Pair pair, String reason) {
        for (AppInstance app : List.of(pair.first(), pair.second())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> app.log().lines().anyMatch(line -> line.contains(
                    "ERROR") && line.contains("Consul TLS files refused, the last good material stays in use")
                    && line.contains(reason)));
        }
    }

    /**
     * Cuts every connection to the agents: each instance's next requests open new ones with the material it holds,
     * and its watches, heartbeats and session must go on over them (2 s: two heartbeats, and a watch's retries).
     */
    private static void cutAndAwaitConsulAnswering(List<TcpRelay> relays, Pair pair, LoadDriver load) {
        relays.forEach(TcpRelay::cutConnections);
        List<Integer> both = pair.ports();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> Stream.of(pair.first(),
                pair.second()).allMatch(app -> app.get("/q/health/ready").statusCode() == 200
                        && View.of(app).equals(new View(both, Optional.empty()))));
        awaitSuccesses(load, 100);
    }

    /** Samples, four times a second, which instances pass every check as the servers see them; bounded to 5 min. */
    private static final class PassingSampler implements AutoCloseable {
        private final List<Integer> expected;
        private final List<String> lapses = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::sample, "passing-sampler");

        private PassingSampler(List<Integer> expected) {
            this.expected = expected;
        }

        static PassingSampler start(List<Integer> expected) {
            PassingSampler sampler = new PassingSampler(expected);
            sampler.thread.setDaemon(true);
            sampler.thread.start();
            return sampler;
        }

        List<String> lapses() {
            return lapses;
        }

        private void sample() {
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (running.get() && System.nanoTime() < end) {
                try {
                    List<Integer> now = passing();
                    if (!now.equals(expected)) {
                        lapses.add(Instant.now() + ": passing " + now);
                    }
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a server busy for a moment: the next sample asks again
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(5_000);
        }
    }

    /** Ports of the instances whose every check passes, as the servers see them. */
    private static List<Integer> passing() {
        return CLUSTER.admin().health("fleet-service").stream().map(JsonObject.class::cast)
                .filter(entry -> entry.getJsonArray("Checks").stream().map(JsonObject.class::cast)
                        .allMatch(check -> "passing".equals(check.getString("Status"))))
                .map(entry -> entry.getJsonObject("Service").getInteger("Port")).sorted().toList();
    }

    /** Starts what a test killed, also when it failed, so that the next test finds the whole cluster. */
    private static void everyAgentBack() {
        Stream.concat(CLUSTER.servers().stream(), CLUSTER.clients().stream()).filter(agent -> !agent.isRunning())
                .forEach(ConsulCluster.Agent::start);
        CLUSTER.awaitFormed();
    }

    private static void awaitSuccesses(LoadDriver load, long count) {
        long target = load.successes() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> load.successes() >= target);
    }
}
