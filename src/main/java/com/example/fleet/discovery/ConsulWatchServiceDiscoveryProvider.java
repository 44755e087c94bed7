package com.example.fleet.discovery;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.WatchTiming;
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
 * Consul agent the application is configured with (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN).
 */
@ServiceDiscoveryType("consul-watch")
@ServiceDiscoveryAttribute(name = "consul-service", description = "Consul service to watch; default: the Stork service name")
@ServiceDiscoveryAttribute(name = "accept-warning", defaultValue = "false", description = "Also use instances whose checks warn")
@ServiceDiscoveryAttribute(name = "tags", description = "Comma-separated tags every instance must have")
@ServiceDiscoveryAttribute(name = "meta", description = "Comma-separated key=glob Meta filters, e.g. env=prod,version=2.*")
@ServiceDiscoveryAttribute(name = "wait", defaultValue = "5m", description = "Wait of each blocking query (at most 10m); a steady service costs one full answer per wait")
@ServiceDiscoveryAttribute(name = "min-interval", defaultValue = "20ms", description = "Least time between two queries")
@ServiceDiscoveryAttribute(name = "retry-max-delay", defaultValue = "5s", description = "Longest backoff after errors")
@ServiceDiscoveryAttribute(name = "first-snapshot-timeout", defaultValue = "5s", description = "How long a first call waits for Consul's first answer")
@ApplicationScoped
public class ConsulWatchServiceDiscoveryProvider implements ServiceDiscoveryProvider<ConsulWatchConfiguration> {

    // field injection: Stork's generated loader needs a no-argument constructor
    @Inject
    Vertx vertx;
    @Inject
    ConsulClients clients;

    private final Map<String, ConsulWatchServiceDiscovery> byStorkService = new ConcurrentHashMap<>();

    @Override
    public ServiceDiscovery createServiceDiscovery(ConsulWatchConfiguration config, String serviceName,
            ServiceConfig serviceConfig, StorkInfrastructure infrastructure) {
        String where = "quarkus.stork." + serviceName + ".service-discovery";
        String consulService = Optional.ofNullable(config.getConsulService()).filter(s -> !s.isBlank())
                .orElse(serviceName);
        InstanceFilter filter = InstanceFilter.parse(Boolean.parseBoolean(config.getAcceptWarning()), config.getTags(),
                config.getMeta(), where);
        PositiveDuration durations = new PositiveDuration();
        Duration wait = durations.convert(config.getWait(), where + ".wait");
        Duration minInterval = durations.convert(config.getMinInterval(), where + ".min-interval");
        Duration retryMaxDelay = durations.convert(config.getRetryMaxDelay(), where + ".retry-max-delay");
        WatchTiming timing;
        try {
            timing = new WatchTiming(wait, minInterval, retryMaxDelay);
        } catch (IllegalArgumentException e) {
            // the durations are positive: only the wait can be out of Consul's range
            throw new IllegalArgumentException(where + ".wait: " + e.getMessage(), e);
        }
        ConsulWatchServiceDiscovery discovery = new ConsulWatchServiceDiscovery(consulService, filter, Optional.empty(),
                durations.convert(config.getFirstSnapshotTimeout(), where + ".first-snapshot-timeout"),
                clients.forWatch(timing), timing, vertx, clients.tokenSource());
        ConsulWatchServiceDiscovery replaced = byStorkService.put(serviceName, discovery);
        if (replaced != null) {
            replaced.stop();
        }
        discovery.start();
        return discovery;
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
