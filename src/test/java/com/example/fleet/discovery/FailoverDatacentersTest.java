package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.consul.WatchTiming;
import com.example.fleet.discovery.InstanceFilter.Health;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;

import io.smallrye.stork.api.ServiceInstance;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/** Watches of failover datacenters, on two real dev agents joined over the WAN. */
class FailoverDatacentersTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    private static ConsulDevAgent dc1;
    private static ConsulDevAgent dc2;
    private static Vertx vertx;
    private ConsulWatchServiceDiscovery discovery;

    @BeforeAll
    static void start() {
        dc1 = ConsulDevAgent.startInDatacenter("dc1");
        dc2 = ConsulDevAgent.startInDatacenter("dc2");
        dc2.joinWan(dc1);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.closeAndAwait();
        dc2.close();
        dc1.close();
    }

    @AfterEach
    void stopWatch() {
        if (discovery != null) {
            discovery.stop();
        }
    }

    private ConsulWatchServiceDiscovery watch(String service, List<String> failover) {
        WatchTiming timing = new WatchTiming(Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(500));
        discovery = new ConsulWatchServiceDiscovery(service, InstanceFilter.parse(Health.PASSING, "", "", "test"),
                Optional.empty(), Duration.ofSeconds(2), failover, datacenter -> {
                    ConsulClientOptions options = new ConsulClientOptions().setHost("127.0.0.1")
                            .setPort(dc1.httpPort()).setTimeout(timing.readTimeout().toMillis());
                    datacenter.ifPresent(options::setDc);
                    return ConsulClient.create(vertx, options);
                }, timing, vertx, "(CONSUL_HTTP_TOKEN)");
        discovery.start();
        return discovery;
    }

    private static void register(ConsulDevAgent agent, String service, String id, int port) {
        new ConsulApi(agent.address()).register(new JsonObject().put("ID", id).put("Name", service)
                .put("Address", "127.0.0.1").put("Port", port).put("Meta", new JsonObject(Map.of("zone", "z")))
                .put("Check", new JsonObject().put("CheckID", id + ":ttl").put("TTL", "60s").put("Status", "passing")));
    }

    private static List<String> where(ConsulWatchServiceDiscovery discovery) {
        List<String> where = new ArrayList<>();
        for (ServiceInstance instance : discovery.snapshot().map(Snapshot::instances).orElse(List.of())) {
            ConsulWatchInstance found = (ConsulWatchInstance) instance;
            where.add(found.getPort() + "@" + found.datacenter().orElse("local") + "/"
                    + ConsulWatchInstance.datacenterRank(found));
        }
        return where;
    }

    @Test
    void listsTheLocalInstancesFirstThenEachFailoverDatacentersInOrder() {
        register(dc2, "svc-a", "a-dc2", 7202);
        register(dc1, "svc-a", "a-dc1", 7101);
        ConsulWatchServiceDiscovery watch = watch("svc-a", List.of("dc2"));

        await().atMost(PROMPTLY).until(() -> where(watch).equals(List.of("7101@local/0", "7202@dc2/1")));
        Snapshot snapshot = watch.snapshot().orElseThrow();
        assertThat(snapshot.datacenters()).extracting(DatacenterState::name).containsExactly("local", "dc2");
        assertThat(snapshot.problem()).isEmpty();

        register(dc2, "svc-a", "a-dc2-second", 7203);
        await().atMost(PROMPTLY).until(() -> where(watch).equals(List.of("7101@local/0", "7202@dc2/1",
                "7203@dc2/1")));
        assertThat(ConsulWatchInstance.zoneOf(watch.snapshot().orElseThrow().instances().get(0))).contains("z");
    }

    @Test
    void aSnapshotThatChangesNothingKeepsTheSameList() {
        register(dc1, "svc-b", "b-dc1", 7111);
        register(dc2, "svc-b", "b-dc2", 7212);
        ConsulWatchServiceDiscovery watch = watch("svc-b", List.of("dc2"));
        await().atMost(PROMPTLY).until(() -> where(watch).size() == 2);
        List<ServiceInstance> before = watch.snapshot().orElseThrow().instances();

        // a new check output in dc2: Consul answers again, with the same instances (the index read first, so
        // that an answer arriving before the read cannot be waited for in vain)
        long index = watch.snapshot().orElseThrow().datacenters().get(1).index();
        new ConsulApi(dc2.address()).ttl("b-dc2:ttl", "pass", "still fine");
        await().atMost(PROMPTLY).until(() -> watch.snapshot().orElseThrow().datacenters().get(1).index() > index);

        assertThat(watch.snapshot().orElseThrow().instances()).isSameAs(before);
    }

    @Test
    void aDatacenterConsulCannotReachIsAProblemNamingItWhileTheLocalOneServes() {
        register(dc1, "svc-c", "c-dc1", 7121);
        ConsulWatchServiceDiscovery watch = watch("svc-c", List.of("dc9"));

        await().atMost(PROMPTLY).until(() -> watch.snapshot().flatMap(Snapshot::problem).isPresent());
        assertThat(where(watch)).containsExactly("7121@local/0");
        assertThat(watch.snapshot().orElseThrow().problem().orElseThrow()).contains("dc9");
        assertThat(watch.getServiceInstances().await().atMost(Duration.ofSeconds(5))).hasSize(1);
    }
}
