package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.consul.BlockingQueryLoop;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.WatchTiming;
import com.example.fleet.discovery.InstanceFilter.Health;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;

import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ConsulMetadataKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/** The watch against a real Consul agent. */
class ConsulWatchServiceDiscoveryTest {

    /** Consul answers a blocking query within milliseconds of a change; the bound holds on a loaded machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    private static ConsulDevAgent agent;
    private static ConsulApi consul;
    private static Vertx vertx;
    private ConsulWatchServiceDiscovery discovery;

    @BeforeAll
    static void start() {
        agent = ConsulDevAgent.start();
        consul = new ConsulApi(agent.address());
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.closeAndAwait();
        agent.close();
    }

    @AfterEach
    void stopWatch() {
        if (discovery != null) {
            discovery.stop();
        }
    }

    private ConsulWatchServiceDiscovery watch(String service, InstanceFilter filter) {
        WatchTiming timing = new WatchTiming(Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(500));
        discovery = new ConsulWatchServiceDiscovery(service, filter, Optional.empty(), Duration.ofSeconds(2), List.of(),
                datacenter -> ConsulClient.create(vertx, new ConsulClientOptions().setHost("127.0.0.1")
                        .setPort(agent.httpPort()).setTimeout(timing.readTimeout().toMillis())),
                timing, vertx, "(CONSUL_HTTP_TOKEN)");
        discovery.start();
        return discovery;
    }

    private static InstanceFilter passingOnly() {
        return InstanceFilter.parse(Health.PASSING, "", "", "test");
    }

    private static void register(String service, String id, int port, String status, List<String> tags,
            Map<String, String> meta) {
        consul.register(new JsonObject().put("ID", id).put("Name", service).put("Address", "127.0.0.1")
                .put("Port", port).put("Tags", new JsonArray(tags)).put("Meta", new JsonObject(Map.copyOf(meta)))
                .put("Check", new JsonObject().put("CheckID", id + ":ttl").put("TTL", "60s").put("Status", status)));
    }

    private static List<Integer> ports(ConsulWatchServiceDiscovery discovery) {
        return discovery.snapshot().map(s -> s.instances().stream().map(ServiceInstance::getPort).sorted().toList())
                .orElse(List.of());
    }

    @Test
    void seesAnInstanceWhenItTurnsPassingAndLosesItWhenItLeaves() {
        ConsulWatchServiceDiscovery watch = watch("svc-a", passingOnly());
        register("svc-a", "a1", 7001, "critical", List.of(), Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.snapshot().isPresent());
        assertThat(ports(watch)).isEmpty();

        consul.ttl("a1:ttl", "pass");
        await().atMost(PROMPTLY).until(() -> ports(watch).equals(List.of(7001)));
        consul.deregister("a1");
        await().atMost(PROMPTLY).until(() -> ports(watch).isEmpty());
    }

    @Test
    void filtersOnTagsAndMetaGlobs() {
        ConsulWatchServiceDiscovery watch = watch("svc-b", InstanceFilter.parse(Health.PASSING, "canary",
                "env=prod,version=2.*", "test"));
        register("svc-b", "b1", 7101, "passing", List.of("canary"), Map.of("env", "prod", "version", "2.4.1"));
        register("svc-b", "b2", 7102, "passing", List.of("canary"), Map.of("env", "prod", "version", "1.9"));
        register("svc-b", "b3", 7103, "passing", List.of(), Map.of("env", "prod", "version", "2.0"));
        register("svc-b", "b4", 7104, "passing", List.of("canary"), Map.of("env", "dev", "version", "2.0"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(watch).equals(List.of(7101)));
    }

    @Test
    void acceptsWarningOnlyWhenAskedAndCriticalOnlyWithoutHealthChecks() {
        register("svc-c", "c1", 7201, "warning", List.of(), Map.of());
        register("svc-c", "c2", 7202, "passing", List.of(), Map.of());
        register("svc-c", "c3", 7203, "critical", List.of(), Map.of());
        ConsulWatchServiceDiscovery strict = watch("svc-c", passingOnly());
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(strict).equals(List.of(7202)));
        strict.stop();
        ConsulWatchServiceDiscovery lenient = watch("svc-c", InstanceFilter.parse(Health.PASSING_OR_WARNING, "", "",
                "test"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(lenient).equals(List.of(7201, 7202)));
        lenient.stop();
        ConsulWatchServiceDiscovery any = watch("svc-c", InstanceFilter.parse(Health.ANY, "", "", "test"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(any).equals(List.of(7201, 7202, 7203)));
        assertThat(any.snapshot().orElseThrow().instances()).extracting(i -> ((ConsulWatchInstance) i).status())
                .containsExactlyInAnyOrder("warning", "passing", "critical");
    }

    @Test
    void keepsInstanceObjectsAndIdsStableAcrossUpdates() {
        ConsulWatchServiceDiscovery watch = watch("svc-d", passingOnly());
        register("svc-d", "d1", 7301, "passing", List.of("v1"), Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(watch).equals(List.of(7301)));
        ServiceInstance before = watch.snapshot().orElseThrow().instances().get(0);

        register("svc-d", "d2", 7302, "passing", List.of(), Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(watch).size() == 2);
        assertThat(watch.snapshot().orElseThrow().instances()).anySatisfy(i -> assertThat(i).isSameAs(before));

        register("svc-d", "d1", 7301, "passing", List.of("v2"), Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.snapshot().orElseThrow().instances().stream()
                .anyMatch(i -> i.getId() == before.getId() && i != before));
        ServiceInstance after = watch.snapshot().orElseThrow().instances().stream()
                .filter(i -> i.getId() == before.getId()).findFirst().orElseThrow();
        assertThat(after.getLabels()).containsOnlyKeys("v2");
    }

    @Test
    void labelsAndMetadataAreStorksAndTheMetaAndStatusComeAlong() {
        ConsulWatchServiceDiscovery watch = watch("svc-e", passingOnly());
        register("svc-e", "e1", 7401, "passing", List.of("weight=3", "primary"),
                Map.of("weight", "3", "version", "1.0"));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(watch).equals(List.of(7401)));
        ServiceInstance instance = watch.snapshot().orElseThrow().instances().get(0);

        assertThat(instance.getLabels()).as("each tag a key, as Stork's consul discovery")
                .isEqualTo(Map.of("weight=3", "weight=3", "primary", "primary"));
        @SuppressWarnings("unchecked")
        Map<ConsulMetadataKey, Object> metadata = ((Metadata<ConsulMetadataKey>) instance.getMetadata()).getMetadata();
        assertThat(metadata).isEqualTo(Map.of(ConsulMetadataKey.META_CONSUL_SERVICE_ID, "e1",
                ConsulMetadataKey.META_CONSUL_SERVICE_NODE, "dev-" + agent.httpPort(),
                ConsulMetadataKey.META_CONSUL_SERVICE_NODE_ADDRESS, "127.0.0.1"));
        ConsulWatchInstance found = (ConsulWatchInstance) instance;
        assertThat(found.meta()).isEqualTo(Map.of("weight", "3", "version", "1.0"));
        assertThat(found.tags()).containsExactly("weight=3", "primary");
        assertThat(found.status()).isEqualTo("passing");
    }

    @Test
    void keepsTheLastSnapshotWhileConsulIsDownAndResumesWithoutARestart() {
        ConsulWatchServiceDiscovery watch = watch("svc-f", passingOnly());
        register("svc-f", "f1", 7501, "passing", List.of(), Map.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> ports(watch).equals(List.of(7501)));

        agent.stop();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.snapshot().orElseThrow().problem().isPresent());
            assertThat(ports(watch)).as("an error never empties the pool").containsExactly(7501);
            assertThat(watch.getServiceInstances().await().atMost(Duration.ofSeconds(2))).hasSize(1);
        } finally {
            // the agent comes back empty; the error already reset the index (nextIndex covers the backwards rule)
            agent.restart();
        }
        register("svc-f", "f2", 7502, "passing", List.of(), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> ports(watch).equals(List.of(7502)));
        assertThat(watch.snapshot().orElseThrow().problem()).isEmpty();
    }

    @Test
    void aFirstCallWaitsForConsulThenFailsWithTheReason() {
        agent.stop();
        try {
            ConsulWatchServiceDiscovery watch = watch("svc-g", passingOnly());
            assertThatThrownBy(() -> watch.getServiceInstances().await().atMost(Duration.ofSeconds(10)))
                    .hasMessageContaining("has not answered about service 'svc-g' within PT2S");
        } finally {
            agent.restart();
        }
        register("svc-g", "g1", 7601, "passing", List.of(), Map.of());
        assertThat(discovery.getServiceInstances().await().atMost(Duration.ofSeconds(10))).isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> ports(discovery).equals(List.of(7601)));
    }

    @Test
    void indexRulesResetBackwardsAndNeverGoBelowOne() {
        assertThat(BlockingQueryLoop.nextIndex(0, 0)).isEqualTo(1);
        assertThat(BlockingQueryLoop.nextIndex(10, 12)).isEqualTo(12);
        assertThat(BlockingQueryLoop.nextIndex(10, 10)).isEqualTo(10);
        assertThat(BlockingQueryLoop.nextIndex(500, 12)).isZero();
    }

    @Test
    void aMalformedMetaFilterNamesTheAttribute() {
        assertThatThrownBy(() -> InstanceFilter.parse(Health.PASSING, "", "env", "quarkus.stork.x.service-discovery"))
                .hasMessageContaining("quarkus.stork.x.service-discovery.meta").hasMessageContaining("key=pattern");
    }

    @Test
    void aTagListIsTrimmedAndEveryTagIsRequired() {
        InstanceFilter filter = InstanceFilter.parse(Health.PASSING, " a , b ,", "", "x");

        assertThat(filter.accepts(entry(List.of("a", "b", "c")))).isTrue();
        assertThat(filter.accepts(entry(List.of("a")))).isFalse();
        assertThat(filter.accepts(entry(List.of(" a ", " b ")))).isFalse();
    }

    private static HealthEntry entry(List<String> tags) {
        return new HealthEntry("id", "node", "127.0.0.1", "127.0.0.1", 7000, tags, Map.of(), CheckStatus.PASSING);
    }
}
