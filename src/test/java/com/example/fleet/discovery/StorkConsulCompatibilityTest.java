package com.example.fleet.discovery;

import static io.smallrye.stork.impl.ConsulMetadataKey.META_CONSUL_SERVICE_ID;
import static io.smallrye.stork.impl.ConsulMetadataKey.META_CONSUL_SERVICE_NODE;
import static io.smallrye.stork.impl.ConsulMetadataKey.META_CONSUL_SERVICE_NODE_ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.example.fleet.testing.ConsulAgentPerTest;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.ConsulTestResource;
import com.example.fleet.testing.LogCapture;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.stork.Stork;
import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.Service;
import io.smallrye.stork.api.ServiceDefinition;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ConsulMetadataKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The configurations of SmallRye Stork's own Consul discovery tests ({@code ConsulServiceDiscoveryTest}, Stork
 * 2.7.9), copied attribute for attribute with only the type changed to consul-watch, against a real agent of their
 * own as Stork's tests have (named by consul-host and consul-port; the application's agent is another one). Where
 * Stork polls, these see each change as Consul makes it; where consul-watch differs by design (no cache, a new id for
 * an instance Consul drops and re-adds, a store file that does not exist), the test says so.
 */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class StorkConsulCompatibilityTest {

    /** The watch sees a change within milliseconds; Stork's tests allow its polling 5 to 10 s. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    @RegisterExtension
    static final LogCapture LOG = new LogCapture(ConsulWatchServiceDiscoveryProvider.class);
    /** A fresh agent per test, as Stork's tests have a container each. */
    @RegisterExtension
    final ConsulAgentPerTest storksAgent = new ConsulAgentPerTest();
    private static int consulId;

    @Inject
    ConsulWatchServiceDiscoveryProvider provider;

    /**
     * Defines a Stork service with the attributes of Stork's test, {@code consul-host} and {@code consul-port} first,
     * as each of its tests does; the Stork service names differ, as all tests here share one Stork.
     */
    private Service define(String storkService, String... moreAttributes) {
        return define(storkService, storksAgent.agent(), moreAttributes);
    }

    private static Service define(String storkService, ConsulDevAgent agent, String... moreAttributes) {
        Map<String, String> attributes = new HashMap<>(Map.of("consul-host", "localhost", "consul-port",
                String.valueOf(agent.httpPort())));
        for (int i = 0; i < moreAttributes.length; i += 2) {
            attributes.put(moreAttributes[i], moreAttributes[i + 1]);
        }
        Stork.getInstance().defineIfAbsent(storkService, ServiceDefinition.of(new ConsulWatchConfiguration(attributes)));
        return Stork.getInstance().getService(storkService);
    }

    /** As Stork's test utilities register: a new ID each time, one entry per address, no check. */
    private static void register(ConsulApi consul, String name, int port, List<String> tags, String... addresses) {
        for (String address : addresses.length == 0 ? new String[] { "" } : addresses) {
            consul.register(new JsonObject().put("ID", String.valueOf(consulId++)).put("Name", name)
                    .put("Tags", new JsonArray(tags)).put("Address", address).put("Port", port));
        }
    }

    private void register(String name, int port, List<String> tags, String... addresses) {
        register(storksAgent.consul(), name, port, tags, addresses);
    }

    /** As Stork's test utilities deregister: by the service ID in the metadata, under Stork's own key. */
    private void deregister(List<ServiceInstance> instances) {
        instances.forEach(instance -> storksAgent.consul()
                .deregister((String) instance.getMetadata().getMetadata().get(META_CONSUL_SERVICE_ID)));
    }

    private static List<ServiceInstance> instances(Service service) {
        return service.getServiceDiscovery().getServiceInstances().await().atMost(PROMPTLY);
    }

    private static List<ServiceInstance> awaitHosts(Service service, String... hosts) {
        await().atMost(PROMPTLY).until(() -> instances(service).stream().map(ServiceInstance::getHost).sorted()
                .toList().equals(List.of(hosts)));
        return instances(service);
    }

    private static ServiceInstance at(List<ServiceInstance> instances, String host) {
        return instances.stream().filter(instance -> instance.getHost().equals(host)).findFirst().orElseThrow();
    }

    /** What Stork's tests check of each instance they fetch. */
    @SuppressWarnings("unchecked")
    private static void assertStorksView(ServiceInstance instance, String host, int port, String tag) {
        assertThat(instance.getHost()).isEqualTo(host);
        assertThat(instance.getPort()).isEqualTo(port);
        assertThat(instance.getLabels()).containsKey(tag);
        Metadata<ConsulMetadataKey> consulMetadata = (Metadata<ConsulMetadataKey>) instance.getMetadata();
        assertThat(consulMetadata.getMetadata()).containsKeys(META_CONSUL_SERVICE_ID, META_CONSUL_SERVICE_NODE,
                META_CONSUL_SERVICE_NODE_ADDRESS);
    }

    /**
     * Stork's shouldNotFetchWhenRefreshPeriodNotReached (5M), shouldRefetchWhenRefreshPeriodReached (5) and
     * shouldRefetchWhenCacheInvalidated (60): Stork serves its cache until the period ends; the watch has no cache,
     * and says once that the attribute does nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = { "5M", "5", "60" })
    void aChangeIsSeenAtOnceWhateverTheRefreshPeriod(String refreshPeriod) {
        String name = "my-service-" + refreshPeriod.toLowerCase();
        Service service = define(name, "refresh-period", refreshPeriod);
        register(name, 8406, List.of("primary"), "example.com");
        ServiceInstance first = awaitHosts(service, "example.com").get(0);
        assertStorksView(first, "example.com", 8406, "primary");

        deregister(List.of(first));
        register(name, 8506, List.of("secondary"), "another.example.com");

        assertStorksView(awaitHosts(service, "another.example.com").get(0), "another.example.com", 8506, "secondary");
        assertThat(LOG.lines(Level.INFO, "quarkus.stork." + name + ".service-discovery.refresh-period=")).hasSize(1);
    }

    /** Stork's shouldDiscoverServiceWithSpecificName, and application naming another service than Stork's own. */
    @Test
    void applicationNamesTheConsulService() {
        register("my-consul-service", 8406, List.of(), "consul.com");
        register("another-service", 8606, List.of(), "another.example.com");

        for (String storkService : List.of("my-consul-service", "client-of-my-consul-service")) {
            Service service = define(storkService, "refresh-period", "5", "application", "my-consul-service");
            ServiceInstance instance = awaitHosts(service, "consul.com").get(0);
            assertThat(instance.getPort()).isEqualTo(8406);
            assertThat(instance.isSecure()).isFalse();
        }
    }

    /** Stork's shouldHandleTheSecureAttribute: every instance is called over TLS, whatever its Meta says. */
    @Test
    void secureMakesEveryInstanceSecure() {
        register("my-consul-service", 8406, List.of(), "consul.com");
        register("another-service", 8606, List.of(), "another.example.com");

        Service service = define("secure-client", "refresh-period", "5", "application", "my-consul-service",
                "secure", "true");

        ServiceInstance instance = awaitHosts(service, "consul.com").get(0);
        assertThat(instance.getPort()).isEqualTo(8406);
        assertThat(instance.isSecure()).isTrue();
    }

    /**
     * Stork's shouldPreserveIdsOnRefetch with a watch: an instance keeps its id while Consul lists it, also when
     * others join. One that Consul drops and lists again (re-registered under a new ID, as that test does) gets a
     * new id, unlike with Stork, which matches host and port within what it last fetched: a balancer then starts
     * it with a clean record.
     */
    @Test
    void anInstanceKeepsItsIdWhileListedAndGetsANewOneWhenReAdded() {
        Service service = define("my-service-ids", "refresh-period", "5");
        register("my-service-ids", 8406, List.of("primary"), "example.com");
        ServiceInstance listed = awaitHosts(service, "example.com").get(0);

        register("my-service-ids", 8406, List.of("primary"), "another.example.com");
        List<ServiceInstance> both = awaitHosts(service, "another.example.com", "example.com");
        assertThat(at(both, "example.com")).isSameAs(listed);
        assertThat(at(both, "another.example.com").getId()).isNotEqualTo(listed.getId());

        deregister(List.of(listed));
        awaitHosts(service, "another.example.com");
        register("my-service-ids", 8406, List.of("primary"), "example.com");
        ServiceInstance readded = at(awaitHosts(service, "another.example.com", "example.com"), "example.com");
        assertThat(readded.getId()).isNotEqualTo(listed.getId());
    }

    /** Stork's shouldDiscoverServiceWithoutAddress: the node's address stands in for an empty one. */
    @Test
    void anInstanceWithoutAddressIsCalledAtItsNodesAddress() {
        register("my-consul-service", 8406, List.of());

        Service service = define("no-address-client", "refresh-period", "5", "application", "my-consul-service");

        ServiceInstance instance = awaitHosts(service, "127.0.0.1").get(0);
        assertThat(instance.getPort()).isEqualTo(8406);
        assertThat(instance.isSecure()).isFalse();
    }

    /**
     * Stork's shouldAcceptSslConfiguration names store files that do not exist; Stork accepts them and would fail at
     * the first request, consul-watch refuses the definition naming the property and the file.
     */
    @Test
    void aStoreFileThatDoesNotExistIsRefusedWithItsProperty() {
        assertThatThrownBy(() -> define("my-secure-service", "ssl", "true",
                "trust-store-path", "/path/to/truststore.jks", "trust-store-password", "changeit",
                "key-store-path", "/path/to/keystore.jks", "key-store-password", "changeit",
                "verify-host", "true", "acl-token", "my-acl-token"))
                .hasMessageContaining("quarkus.stork.my-secure-service.service-discovery.trust-store-path:"
                        + " /path/to/truststore.jks does not exist or is not a file");
    }

    /** Stork's use-health-checks=false takes every instance, critical ones included; by default passing only. */
    @Test
    void withoutHealthChecksCriticalInstancesAreTakenToo() {
        storksAgent.consul().register(new JsonObject().put("ID", "down").put("Name", "mixed").put("Address", "10.0.0.2")
                .put("Port", 8406).put("Check", new JsonObject().put("TTL", "60s").put("Status", "critical")));
        register("mixed", 8406, List.of(), "10.0.0.1");

        awaitHosts(define("every-mixed", "application", "mixed", "use-health-checks", "false"), "10.0.0.1",
                "10.0.0.2");
        awaitHosts(define("passing-mixed", "application", "mixed"), "10.0.0.1");
    }

    /** acl-token is this discovery's token towards the agent it names, sent over plain HTTP too (Stork: only with ssl). */
    @Test
    void aclTokenIsTheTokenTowardsTheNamedAgent() {
        String master = ConsulDevAgent.newToken();
        try (ConsulDevAgent acl = ConsulDevAgent.start(Optional.of(master))) {
            ConsulApi consul = new ConsulApi(acl.address(), Optional.of(master));
            await().atMost(PROMPTLY).ignoreExceptions().until(() -> !consul.raftLeader().isEmpty());
            register(consul, "guarded", 8406, List.of("primary"), "10.0.0.1");

            awaitHosts(define("guarded", acl, "acl-token", master), "10.0.0.1");
            Service refused = define("guarded-wrong-token", acl, "application", "guarded", "acl-token", "unknown",
                    "first-snapshot-timeout", "1s");
            assertThatThrownBy(() -> instances(refused)).hasMessageContaining("the ACL token in"
                    + " quarkus.stork.guarded-wrong-token.service-discovery.acl-token needs service:read");
        }
    }

    @Test
    void eachUnknownOrConflictingAttributeIsReportedOnceNamingWhatToWrite() {
        Map<String, String> attributes = Map.of("consul-host", "localhost", "consul-port",
                String.valueOf(storksAgent.agent().httpPort()), "application", "other", "consul-service", "noisy",
                "use-health-checks", "false", "accept-warning", "true", "refresh-perod", "5M", "verify-host", "true");
        Stork.getInstance().defineIfAbsent("noisy", ServiceDefinition.of(new ConsulWatchConfiguration(attributes)));
        // created again, as a redefinition would: nothing is said twice
        provider.createServiceDiscovery(new ConsulWatchConfiguration(attributes), "noisy", null, null);

        String where = "quarkus.stork.noisy.service-discovery.";
        assertThat(LOG.lines(Level.WARNING, where + "application=other disagrees with " + where
                + "consul-service=noisy")).hasSize(1);
        assertThat(LOG.lines(Level.WARNING, where + "use-health-checks=false")).hasSize(1);
        assertThat(LOG.lines(Level.WARNING, where + "refresh-perod is not an attribute of consul-watch and is ignored;"
                + " did you mean " + where + "refresh-period?")).hasSize(1);
        assertThat(LOG.lines(Level.WARNING, where + "verify-host has no effect")).hasSize(1);
        assertThat(LOG.lines(Level.WARNING, "quarkus.stork.noisy.")).hasSize(4);
        assertThat(LOG.lines(Level.WARNING, "quarkus.stork.fleet-service.")).as("the application's own").isEmpty();
    }
}
