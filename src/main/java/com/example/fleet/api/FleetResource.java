package com.example.fleet.api;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.example.fleet.api.GreetingResource.Greeting;
import com.example.fleet.balancing.PeakEwmaLoadBalancer;
import com.example.fleet.balancing.PeakEwmaLoadBalancerProvider;
import com.example.fleet.balancing.ladder.LevelLoad;
import com.example.fleet.balancing.rules.InstanceLoad;
import com.example.fleet.calls.FleetCallFailed;
import com.example.fleet.calls.FleetCalls;
import com.example.fleet.discovery.ConsulWatchInstance;
import com.example.fleet.discovery.ConsulWatchServiceDiscoveryProvider;
import com.example.fleet.discovery.Snapshot;
import com.example.fleet.scaling.leadership.LeaderElection;
import com.example.fleet.scaling.policy.PolicyWatch;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.stork.Stork;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ConsulMetadataKey;
import io.vertx.core.json.Json;

/**
 * The sample's view of its own fleet: call it through Stork, and show what the client knows of it (with
 * consul-watch and peak-ewma, also each instance's check status and balancer estimate).
 */
@Path("/api/fleet")
@Produces(MediaType.APPLICATION_JSON)
public class FleetResource {

    /**
     * One instance as the client sees it.
     *
     * @param datacenter the failover datacenter it was found in; empty for the local one
     */
    public record Member(long id, String consulId, String address, int port, String status, List<String> tags,
            Map<String, String> meta, Optional<String> datacenter, Optional<InstanceLoad> balancer) {
    }

    /** The watch of one datacenter (with consul-watch): the local one, then each failover datacenter. */
    @RegisterForReflection
    public record Watched(String datacenter, int instances, long index, long ageMillis, Optional<String> problem) {
    }

    /**
     * The whole view; {@code snapshotAgeMillis} grows while Consul does not answer; {@code balancerPanicking} (with
     * peak-ewma) is true while so many instances are ejected that the balancer chooses among all of them;
     * {@code levels} (with peak-ewma, and a zone or failover datacenters) say where calls go.
     */
    public record View(String service, List<Member> instances, long index, long snapshotAgeMillis,
            Optional<String> consulProblem, Optional<Boolean> balancerPanicking, List<Watched> datacenters,
            List<LevelLoad> levels) {
    }

    @ConfigProperty(name = "fleet.sample.target-service")
    String target;

    @Inject
    FleetCalls fleet;

    @Inject
    ConsulWatchServiceDiscoveryProvider discovery;

    @Inject
    PeakEwmaLoadBalancerProvider balancers;

    @Inject
    PolicyWatch policy;

    @Inject
    LeaderElection election;

    /** Below the default call timeout of 30 s, so that work asked for can be waited for. */
    static final long MAX_CALL_WORK_MILLIS = 20_000;
    /** How many tries the call took, the first included. */
    static final String ATTEMPTS_HEADER = "Fleet-Attempts";

    /**
     * Calls one instance of the fleet (a greeting, or work of {@code millis}) and says which one answered; a try
     * that fails goes to another instance (see {@link FleetCalls}). Work gets its duration on top of the per-try
     * timeout.
     */
    @GET
    @Path("/call")
    public Uni<RestResponse<Greeting>> call(@QueryParam("millis") String requested) {
        long millis = BadParameter.millis(requested, MAX_CALL_WORK_MILLIS);
        String uri = millis == 0 ? "/api/hello" : "/api/work?millis=" + millis;
        return fleet.get(uri, Duration.ofMillis(millis)).map(answer -> answer.status() == 200
                ? RestResponse.ResponseBuilder.ok(Json.decodeValue(answer.body(), Greeting.class))
                        .header(ATTEMPTS_HEADER, answer.attempts()).build()
                : RestResponse.ResponseBuilder.<Greeting> create(Response.Status.BAD_GATEWAY)
                        .header(ATTEMPTS_HEADER, answer.attempts()).build());
    }

    /** No try of the call succeeded: 502, saying why and how many tries were made. */
    @ServerExceptionMapper
    public RestResponse<Map<String, Object>> failed(FleetCallFailed failure) {
        return RestResponse.ResponseBuilder.<Map<String, Object>> create(Response.Status.BAD_GATEWAY,
                Map.of("error", failure.getMessage(), "attempts", failure.attempts()))
                .header(ATTEMPTS_HEADER, failure.attempts()).type(MediaType.APPLICATION_JSON).build();
    }

    /**
     * What the client knows of the fleet. Instances come from Stork, so the view works with any discovery type;
     * with consul-watch it adds check status, snapshot age and the current Consul problem, with peak-ewma each
     * instance's estimate, failures and ejection.
     */
    @GET
    public Uni<View> view() {
        Optional<Snapshot> snapshot = discovery.discoveryOf(target).flatMap(d -> d.snapshot());
        Optional<PeakEwmaLoadBalancer> balancer = balancers.balancerOf(target);
        Map<Long, InstanceLoad> estimates = balancer.map(PeakEwmaLoadBalancer::estimates).orElse(Map.of());
        return Stork.getInstance().getService(target).getInstances().map(instances -> new View(target,
                instances.stream().sorted(Comparator.comparing(ServiceInstance::getPort))
                        .map(instance -> member(instance, estimates)).toList(),
                snapshot.map(Snapshot::index).orElse(-1L),
                snapshot.flatMap(s -> s.local().age()).map(Duration::toMillis).orElse(-1L),
                snapshot.flatMap(Snapshot::problem), balancer.map(PeakEwmaLoadBalancer::panicking),
                snapshot.map(FleetResource::watched).orElse(List.of()),
                balancer.map(PeakEwmaLoadBalancer::levels).orElse(List.of())));
    }

    private static List<Watched> watched(Snapshot snapshot) {
        return snapshot.datacenters().stream().map(state -> new Watched(state.name(), state.instances().size(),
                state.index(), state.age().map(Duration::toMillis).orElse(-1L), state.problem())).toList();
    }

    /** The replica policy in force, where it came from, and the last value refused. */
    @GET
    @Path("/policy")
    public PolicyWatch.State policy() {
        return policy.state();
    }

    /** Whether this instance leads, and who does. */
    @GET
    @Path("/leader")
    public LeaderElection.View leader() {
        return election.view();
    }

    private static Member member(ServiceInstance instance, Map<Long, InstanceLoad> estimates) {
        Optional<ConsulWatchInstance> found = Optional.of(instance).filter(ConsulWatchInstance.class::isInstance)
                .map(ConsulWatchInstance.class::cast);
        // Stork's consul discovery keys its metadata the same way: the service ID shows with either discovery
        Object consulId = instance.getMetadata().getMetadata().get(ConsulMetadataKey.META_CONSUL_SERVICE_ID);
        return new Member(instance.getId(), Objects.toString(consulId, null), instance.getHost(), instance.getPort(),
                found.map(ConsulWatchInstance::status).orElse(null), found.map(ConsulWatchInstance::tags).orElse(null),
                ConsulWatchInstance.metaOrLabels(instance), found.flatMap(ConsulWatchInstance::datacenter),
                Optional.ofNullable(estimates.get(instance.getId())));
    }
}
