package com.example.fleet.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import com.example.fleet.discovery.ConsulWatchServiceDiscoveryProvider;
import com.example.fleet.scaling.leadership.LeaderElection;

/**
 * What this instance cannot get from the Consul servers right now: the discovery's watch of the fleet and the
 * leader election's session. Always UP, on purpose: without the servers (an election, quorum lost) an instance
 * still serves, calls its peers from its last view and heartbeats through its agent; taking every instance out of
 * rotation for a fault of Consul's would turn it into an outage. It says why in its data instead, next to the
 * registration check that does go DOWN when this instance's own agent is gone.
 */
@Readiness
@ApplicationScoped
public class FleetViewHealth implements HealthCheck {

    private static final String OK = "ok";

    @ConfigProperty(name = "fleet.sample.target-service")
    String target;

    @Inject
    ConsulWatchServiceDiscoveryProvider discovery;

    @Inject
    LeaderElection election;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("consul-servers").up();
        discovery.discoveryOf(target).flatMap(d -> d.snapshot()).ifPresent(snapshot -> response
                .withData("discovery", snapshot.problem().orElse(OK)));
        response.withData("leaderElection", election.view().consulProblem().orElse(OK));
        return response.build();
    }
}
