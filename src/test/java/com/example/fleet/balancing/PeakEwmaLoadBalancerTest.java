package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.instance;
import static com.example.fleet.balancing.Calls.succeed;
import static com.example.fleet.balancing.LoadSimulation.share;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.InstanceLoad;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.discovery.ConsulWatchInstance;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.NoServiceInstanceFoundException;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ServiceInstanceWithStatGathering;
import io.vertx.ext.consul.CheckStatus;

class PeakEwmaLoadBalancerTest {

    private final ManualClock clock = new ManualClock();
    private final PeakEwmaLoadBalancer balancer = Calls.balancer(Calls.DEFAULTS, clock,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), Calls.seededRandom(),
            new SimpleMeterRegistry());

    @Test
    void noCandidateIsAnError() {
        assertThatThrownBy(() -> balancer.selectServiceInstance(List.of()))
                .isInstanceOf(NoServiceInstanceFoundException.class);
    }

    @Test
    void aSingleCandidateIsChosenWrappedToGatherStatistics() {
        ServiceInstance selected = balancer.selectServiceInstance(List.of(instance(1)));

        assertThat(selected.getId()).isEqualTo(1);
        assertThat(selected).isInstanceOf(ServiceInstanceWithStatGathering.class);
        assertThat(selected.gatherStatistics()).isTrue();
        assertThat(balancer.requiresStrictRecording()).isTrue();
    }

    @Test
    void theEstimateRisesAtOnceOnASlowSampleAndDecaysOnFastOnes() {
        List<ServiceInstance> only = List.of(instance(1));
        assertThat(estimateMillis(1)).isNull();
        balancer.selectServiceInstance(only);
        assertThat(estimateMillis(1)).isEqualTo(30.0);

        succeed(balancer.selectServiceInstance(only), Duration.ofMillis(55));
        assertThat(estimateMillis(1)).isCloseTo(55.0, within(1e-6));

        double previous = estimateMillis(1);
        for (int i = 0; i < 600; i++) {
            clock.advance(Duration.ofMillis(100));
            succeed(balancer.selectServiceInstance(only), Duration.ofMillis(5));
            assertThat(estimateMillis(1)).isLessThan(previous);
            previous = estimateMillis(1);
        }
        assertThat(previous).isCloseTo(5.0, within(0.5));
    }

    @Test
    void theTwoComparedCandidatesAreDistinct() {
        PeakEwmaLoadBalancer unlucky = Calls.balancer(Calls.DEFAULTS, clock, Clock.systemUTC(),
                Calls.alwaysLowestDraw(), new SimpleMeterRegistry());
        ServiceInstance slow = instance(1);
        succeed(unlucky.selectServiceInstance(List.of(slow)), Duration.ofMillis(55));
        List<ServiceInstance> fleet = List.of(slow, instance(2), instance(3));

        for (int i = 0; i < 20; i++) {
            // both draws are the lowest, yet the second is another instance, which beats the slow one
            assertThat(unlucky.selectServiceInstance(fleet).getId()).isEqualTo(2L);
        }
    }

    @Test
    void aSlowInstanceGetsASmallShare() {
        List<ServiceInstance> fleet = List.of(instance(1), instance(2), instance(3));
        LoadSimulation simulation = new LoadSimulation(clock, balancer, selected -> selected.getId() == 3 ? 55 : 5);

        Map<Long, Integer> picks = simulation.run(fleet, 10_000, Duration.ofMillis(1));

        assertThat(share(picks, 3)).isLessThan(0.10);
        assertThat(share(picks, 1)).isGreaterThan(0.35);
        assertThat(share(picks, 2)).isGreaterThan(0.35);
    }

    @Test
    void weightsShiftTheShare() {
        ServiceInstance heavy = instance(1, Map.of("weight", "3"));
        ServiceInstance light = instance(2, Map.of("weight", "1"));
        LoadSimulation simulation = new LoadSimulation(clock, balancer, selected -> 5);

        Map<Long, Integer> picks = simulation.run(List.of(heavy, light), 10_000, Duration.ofNanos(250_000));

        assertThat(share(picks, 1)).isGreaterThan(2 * share(picks, 2));
        assertThat(share(picks, 2)).isGreaterThan(0.05);
    }

    @Test
    void withConsulWatchTheWeightIsTheConsulMetaNotALabel() {
        // the application registers its weight as Meta and as a tag, which Stork's labels hold as "weight=3"
        ServiceInstance heavy = new ConsulWatchInstance(1, consulEntry(1, "3"), false);
        ServiceInstance light = new ConsulWatchInstance(2, consulEntry(2, "1"), false);
        LoadSimulation simulation = new LoadSimulation(clock, balancer, selected -> 5);

        Map<Long, Integer> picks = simulation.run(List.of(heavy, light), 10_000, Duration.ofNanos(250_000));

        assertThat(heavy.getLabels()).doesNotContainKey("weight");
        assertThat(share(picks, 1)).isGreaterThan(2 * share(picks, 2));
        assertThat(share(picks, 2)).isGreaterThan(0.05);
    }

    private static HealthEntry consulEntry(int id, String weight) {
        return new HealthEntry("i" + id, "node", "10.0.0.1", "10.0.0." + id, 8080, List.of("weight=" + weight),
                Map.of("weight", weight), CheckStatus.PASSING);
    }

    @Test
    void aNewInstanceIsTriedButNotFlooded() {
        List<ServiceInstance> warm = List.of(instance(1), instance(2));
        List<ServiceInstance> grown = List.of(instance(1), instance(2), instance(3));
        LoadSimulation simulation = new LoadSimulation(clock, balancer, selected -> 5);
        simulation.run(warm, 40_000, Duration.ofNanos(250_000));

        Map<Long, Integer> firstSecond = simulation.run(grown, 4_000, Duration.ofNanos(250_000));
        assertThat(firstSecond.get(3L)).isPositive();
        assertThat(share(firstSecond, 3)).isLessThan(0.25);

        simulation.run(grown, 120_000, Duration.ofNanos(250_000));
        Map<Long, Integer> settled = simulation.run(grown, 10_000, Duration.ofNanos(250_000));
        assertThat(share(settled, 3)).isGreaterThan(0.25);
    }

    @Test
    void theViewShowsEstimateInFlightAndEjection() {
        ServiceInstance selected = balancer.selectServiceInstance(List.of(instance(1)));
        selected.recordStart(true);

        assertThat(balancer.estimates())
                .containsOnly(Map.entry(1L, new InstanceLoad(30.0, 1, 0, 0, Optional.empty(), 0, Optional.empty())));

        clock.advance(Duration.ofSeconds(1));
        selected.recordEnd(new RuntimeException(new ConnectException("Connection refused")));
        InstanceLoad load = balancer.estimates().get(1L);
        assertThat(load.estimateMillis()).isEqualTo(2000.0);
        assertThat(load.inFlight()).isZero();
        assertThat(load.ejectedUntil()).contains(Instant.parse("2026-01-01T00:00:05Z"));
    }

    @Test
    void instancesGoneForLongAreForgotten() {
        List<ServiceInstance> many = new ArrayList<>();
        for (long id = 1; id <= 500; id++) {
            many.add(instance(id));
        }
        balancer.selectServiceInstance(many);
        assertThat(balancer.estimates()).hasSize(500);

        // discovery's snapshot of one, as every call of a while gets it (a collection used once is a retry's)
        List<ServiceInstance> one = List.of(instance(7));
        balancer.selectServiceInstance(one);
        balancer.selectServiceInstance(one);
        clock.advance(Calls.DEFAULTS.forgetAfter().plusSeconds(1));
        balancer.selectServiceInstance(one);

        assertThat(balancer.estimates()).containsOnlyKeys(7L);
    }

    private Double estimateMillis(long id) {
        InstanceLoad load = balancer.estimates().get(id);
        return load == null ? null : load.estimateMillis();
    }
}
