package com.example.fleet.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentOverrides;
import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.WatchTiming;
import com.example.fleet.discovery.InstanceFilter.Health;
import com.example.fleet.support.PositiveDuration;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.stork.api.ServiceDiscovery;
import io.smallrye.stork.api.config.ServiceConfig;
import io.smallrye.stork.api.config.ServiceDiscoveryAttribute;
import io.smallrye.stork.api.config.ServiceDiscoveryType;
import io.smallrye.stork.spi.ServiceDiscoveryProvider;
import io.smallrye.stork.spi.StorkInfrastructure;
import io.vertx.mutiny.core.Vertx;

/**
 * Stork service discovery {@code consul-watch}: push-based, one blocking query per watched service, on the
 * Consul agent the application is configured with (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN) unless the attributes name
 * another. It also takes the attributes of Stork's own {@code consul} discovery with their meaning, so that a Stork
 * configuration works with only its type changed; an attribute it does not know, or given under both names with
 * different meanings, is reported once at startup.
 */
@ServiceDiscoveryType("consul-watch")
@ServiceDiscoveryAttribute(name = "consul-service", description = "Consul service to watch; default: the Stork service name")
@ServiceDiscoveryAttribute(name = "accept-warning", defaultValue = "false", description = "Also use instances whose checks warn")
@ServiceDiscoveryAttribute(name = "tags", description = "Comma-separated tags every instance must have")
@ServiceDiscoveryAttribute(name = "meta", description = "Comma-separated key=glob Meta filters, e.g. env=prod,version=2.*")
@ServiceDiscoveryAttribute(name = "wait", defaultValue = "5m", description = "Wait of each blocking query (at most 10m); a steady service costs one full answer per wait")
@ServiceDiscoveryAttribute(name = "min-interval", defaultValue = "20ms", description = "Least time between two queries")
@ServiceDiscoveryAttribute(name = "retry-max-delay", defaultValue = "5s", description = "Longest backoff after errors")
@ServiceDiscoveryAttribute(name = "failover-datacenters", description = "Comma-separated datacenters to watch as well, in the order calls fail over to them when the own datacenter's instances are unhealthy (with peak-ewma); default: none")
@ServiceDiscoveryAttribute(name = "first-snapshot-timeout", defaultValue = "5s", description = "How long a first call waits for Consul's first answer")
// Stork's consul discovery's attributes, same names and meaning
@ServiceDiscoveryAttribute(name = "application", description = "Stork's name for consul-service; consul-service wins when both are given")
@ServiceDiscoveryAttribute(name = "use-health-checks", description = "false: every instance, critical ones too; true: passing only. accept-warning wins when both are given")
@ServiceDiscoveryAttribute(name = "secure", description = "true: call every instance over TLS; false: none; default: each instance whose Meta has secure=true")
@ServiceDiscoveryAttribute(name = "refresh-period", description = "Accepted and ignored: the watch sees changes as they happen")
@ServiceDiscoveryAttribute(name = "consul-host", description = "Host of the agent to ask; default: the host of fleet.consul.address")
@ServiceDiscoveryAttribute(name = "consul-port", description = "Port of the agent to ask; default: the port of fleet.consul.address")
@ServiceDiscoveryAttribute(name = "ssl", description = "HTTPS towards the agent; default: as the application's agent")
@ServiceDiscoveryAttribute(name = "acl-token", description = "ACL token of this discovery; default: fleet.consul.token or token-file")
@ServiceDiscoveryAttribute(name = "trust-store-path", description = "JKS or PKCS#12 store of the CAs the agent's certificate must chain to; default: fleet.consul.tls.ca-cert/ca-path")
@ServiceDiscoveryAttribute(name = "trust-store-password", description = "Password of the trust store")
@ServiceDiscoveryAttribute(name = "key-store-path", description = "JKS or PKCS#12 store of the client certificate and key; default: fleet.consul.tls.client-cert/client-key")
@ServiceDiscoveryAttribute(name = "key-store-password", description = "Password of the key store and of its key")
@ServiceDiscoveryAttribute(name = "verify-host", description = "false: the agent's certificate need not name its host (the chain is still checked); default: true")
@ApplicationScoped
public class ConsulWatchServiceDiscoveryProvider implements ServiceDiscoveryProvider<ConsulWatchConfiguration> {

    private static final Logger LOG = Logger.getLogger(ConsulWatchServiceDiscoveryProvider.class);
    private static final UnknownAttributes UNKNOWN = new UnknownAttributes(ConsulWatchServiceDiscoveryProvider.class);

    // field injection: Stork's generated loader needs a no-argument constructor
    @Inject
    Vertx vertx;
    @Inject
    ConsulClients clients;

    private final Map<String, ConsulWatchServiceDiscovery> byStorkService = new ConcurrentHashMap<>();
    /** Stork service and attribute of each notice already logged. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    @Override
    public ServiceDiscovery createServiceDiscovery(ConsulWatchConfiguration config, String serviceName,
            ServiceConfig serviceConfig, StorkInfrastructure infrastructure) {
        GivenAttributes given = new GivenAttributes(serviceName, config.parameters());
        List<AttributeNotice> notices = new ArrayList<>();
        UNKNOWN.report(given, notices);
        String consulService = StorkSpellings.consulService(given, notices);
        Health health = StorkSpellings.health(given, notices);
        StorkSpellings.refreshPeriod(given, notices);
        InstanceFilter filter = InstanceFilter.parse(health, config.getTags(), config.getMeta(), given.where());
        Optional<Boolean> secure = given.flag("secure");
        PositiveDuration durations = new PositiveDuration();
        WatchTiming timing = timing(config, given, durations);
        Duration firstSnapshotTimeout = durations.convert(config.getFirstSnapshotTimeout(),
                given.property("first-snapshot-timeout"));
        List<String> failover = given.datacenters("failover-datacenters");
        AgentOverrides agent = AgentAttributes.read(given, notices);
        if (!clients.https(agent)) {
            AgentAttributes.withoutHttps(given, notices);
        }
        report(serviceName, notices);
        ConsulWatchServiceDiscovery discovery = new ConsulWatchServiceDiscovery(consulService, filter, secure,
                firstSnapshotTimeout, failover, datacenter -> datacenter
                        .map(name -> clients.forWatch(timing, agent, name)).orElseGet(() -> clients.forWatch(timing, agent)),
                timing, vertx, clients.tokenSource(agent));
        ConsulWatchServiceDiscovery replaced = byStorkService.put(serviceName, discovery);
        if (replaced != null) {
            replaced.stop();
        }
        discovery.start();
        return discovery;
    }

    private static WatchTiming timing(ConsulWatchConfiguration config, GivenAttributes given,
            PositiveDuration durations) {
        Duration wait = durations.convert(config.getWait(), given.property("wait"));
        Duration minInterval = durations.convert(config.getMinInterval(), given.property("min-interval"));
        Duration retryMaxDelay = durations.convert(config.getRetryMaxDelay(), given.property("retry-max-delay"));
        try {
            return new WatchTiming(wait, minInterval, retryMaxDelay);
        } catch (IllegalArgumentException e) {
            // the durations are positive: only the wait can be out of Consul's range
            throw new IllegalArgumentException(given.property("wait") + ": " + e.getMessage(), e);
        }
    }

    /** Logs each notice the first time its service and attribute come up. */
    private void report(String serviceName, List<AttributeNotice> notices) {
        for (AttributeNotice notice : notices) {
            if (reported.add(serviceName + " " + notice.attribute())) {
                if (notice.warning()) {
                    LOG.warn(notice.text());
                } else {
                    LOG.info(notice.text());
                }
            }
        }
    }

    /** The discovery serving a Stork service, for the fleet view. */
    public Optional<ConsulWatchServiceDiscovery> discoveryOf(String storkService) {
        return Optional.ofNullable(byStorkService.get(storkService));
    }

    /** Stork has no close hook for discoveries: the loops end with the application. */
    void stopAll(@Observes ShutdownEvent event) {
        byStorkService.values().forEach(ConsulWatchServiceDiscovery::stop);
        byStorkService.clear();
    }
}
