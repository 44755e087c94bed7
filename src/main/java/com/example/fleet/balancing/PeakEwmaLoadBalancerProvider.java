package com.example.fleet.balancing;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import com.example.fleet.balancing.ladder.DatacenterShift;
import com.example.fleet.balancing.ladder.Ladder;
import com.example.fleet.balancing.rules.PeakEwmaAttributes;
import com.example.fleet.balancing.rules.PeakEwmaSettings;
import com.example.fleet.discovery.ConsulWatchServiceDiscovery;
import com.example.fleet.support.FleetZone;

import io.micrometer.core.instrument.Metrics;
import io.smallrye.stork.Stork;
import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.api.Service;
import io.smallrye.stork.api.ServiceDiscovery;
import io.smallrye.stork.api.config.LoadBalancerAttribute;
import io.smallrye.stork.api.config.LoadBalancerType;
import io.smallrye.stork.spi.LoadBalancerProvider;

/**
 * Stork load balancer type {@code peak-ewma}, e.g. {@code quarkus.stork.<service>.load-balancer.type=peak-ewma};
 * see {@link PeakEwmaLoadBalancer}. Durations read like {@code 10s}, {@code 30ms} or {@code PT1M}.
 */
@LoadBalancerType("peak-ewma")
@LoadBalancerAttribute(name = "decay-time", defaultValue = "10s", description = "How fast past latencies lose weight against new ones.")
@LoadBalancerAttribute(name = "default-rtt", defaultValue = "30ms", description = "Latency assumed for instances without samples yet.")
@LoadBalancerAttribute(name = "error-penalty", defaultValue = "2s", description = "Latency a failed call counts as.")
@LoadBalancerAttribute(name = "ejection-cool-off", defaultValue = "5s", description = "How long an instance that refused a connection is left out, unless discovery drops and re-adds it sooner.")
@LoadBalancerAttribute(name = "probe-interval", defaultValue = "1s", description = "A penalised instance (its last call failed or was given up for a backup, and none succeeded since) gets one call at a time, and at most one this often.")
@LoadBalancerAttribute(name = "call-timeout", defaultValue = "30s", description = "A call with no end after this long counts as failed: the REST client reports no end for resets and read timeouts after the request was sent.")
@LoadBalancerAttribute(name = "level-hold-down", defaultValue = "10s", description = "How long a level of the caller's ladder (own zone, rest of the own datacenter, each failover datacenter) must stay healthier before it gets back the traffic it lost; its falls count at once.")
@LoadBalancerAttribute(name = "consecutive-failures", defaultValue = "5", description = "Failed calls in a row (5xx answers, timeouts, resets; not 4xx answers) that eject an instance.")
@LoadBalancerAttribute(name = "ejection-base", defaultValue = "30s", description = "How long the first ejection for failures lasts; each further one lasts this much longer, and each ejection-base back in rotation takes one step off again.")
@LoadBalancerAttribute(name = "max-ejection", defaultValue = "300s", description = "Longest ejection for failures, so that a recovered instance is tried again within it.")
@LoadBalancerAttribute(name = "max-ejected-percent", defaultValue = "10", description = "Most of the candidates, in percent, that failures may eject at once (always one): a fleet failing as a whole is overloaded, and ejecting more would overload the rest. Refused connections are not limited.")
@LoadBalancerAttribute(name = "panic-threshold", defaultValue = "50", description = "Below this percentage of candidates not ejected, the balancer ignores ejections (panic) rather than crush the few left; 0 only when none is left.")
@ApplicationScoped
public class PeakEwmaLoadBalancerProvider implements LoadBalancerProvider<PeakEwmaConfiguration> {

    private final Function<String, Optional<LoadBalancer>> balancerOfService;

    @Inject
    Event<DatacenterShift> shifts;

    /** Looks balancers up in the application's Stork services. */
    public PeakEwmaLoadBalancerProvider() {
        this(serviceName -> Stork.getInstance().getServiceOptional(serviceName).map(Service::getLoadBalancer));
    }

    PeakEwmaLoadBalancerProvider(Function<String, Optional<LoadBalancer>> balancerOfService) {
        this.balancerOfService = balancerOfService;
    }

    /**
     * A balancer that prefers the caller's zone ({@code fleet.zone}) and, with discovery consul-watch, its own
     * datacenter over the failover ones; when calls leave the own datacenter and come back, a
     * {@link DatacenterShift} event says so.
     */
    @Override
    public LoadBalancer createLoadBalancer(PeakEwmaConfiguration config, ServiceDiscovery serviceDiscovery) {
        String service = serviceDiscovery instanceof ConsulWatchServiceDiscovery watch ? watch.consulService()
                : "unnamed";
        // the registry Quarkus Micrometer injects is this one; reaching it statically also works for a provider
        // built without CDI (Stork's fallback, the JMH benchmark)
        return new PeakEwmaLoadBalancer(settingsOf(config), new Ladder(FleetZone.configured()),
                this::announce, service, System::nanoTime, Clock.systemUTC(), ThreadLocalRandom::current,
                Metrics.globalRegistry);
    }

    /** Observers run apart from the selection that noticed the shift; without CDI there are none. */
    private void announce(DatacenterShift shift) {
        if (shifts != null) {
            shifts.fireAsync(shift);
        }
    }

    /**
     * The peak-EWMA balancer of a Stork service, empty when the service is unknown or balanced otherwise. Stork
     * does not tell providers which service a balancer is for, but each service holds its balancer, so the
     * lookup goes through Stork rather than through a registry kept here.
     */
    public Optional<PeakEwmaLoadBalancer> balancerOf(String serviceName) {
        return balancerOfService.apply(serviceName).filter(PeakEwmaLoadBalancer.class::isInstance)
                .map(PeakEwmaLoadBalancer.class::cast);
    }

    /** The settings the attributes of {@code config} give. */
    static PeakEwmaSettings settingsOf(PeakEwmaConfiguration config) {
        return PeakEwmaSettings.from(new Read(config));
    }

    /** The generated configuration is the attributes the settings read: the same getters. */
    private static final class Read extends PeakEwmaConfiguration implements PeakEwmaAttributes {

        Read(PeakEwmaConfiguration config) {
            super(config.parameters());
        }
    }
}
