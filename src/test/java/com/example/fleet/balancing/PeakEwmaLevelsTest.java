package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.fail;
import static com.example.fleet.balancing.Calls.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.ladder.DatacenterShift;
import com.example.fleet.balancing.ladder.Ladder;
import com.example.fleet.balancing.ladder.LevelLoad;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.discovery.ConsulWatchInstance;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.ext.consul.CheckStatus;

/**
 * The ladder of failure domains: own zone, the rest of the own datacenter, each failover datacenter; traffic
 * spills down it by the health of each level, and comes back after the hold-down.
 */
class PeakEwmaLevelsTest {

    private static final Throwable REFUSED = new ConnectException("Connection refused");
    private static final Throwable TIMED_OUT = new TimeoutException("no answer within the per-try timeout");

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<DatacenterShift> shifts = new ArrayList<>();

    private static ServiceInstance member(long id, String zone, Optional<String> datacenter, int rank) {
        HealthEntry entry = new HealthEntry("svc-" + id, "node-" + id, "10.0.0." + id, "10.0.0." + id, 8080,
                List.of(), Map.of(HealthEntry.ZONE_META, zone), CheckStatus.PASSING);
        return new ConsulWatchInstance(id, entry, false, datacenter, rank);
    }

    private static ServiceInstance local(long id, String zone) {
        return member(id, zone, Optional.empty(), 0);
    }

    private static ServiceInstance inDc2(long id) {
        return member(id, "b", Optional.of("dc2"), 1);
    }

    private PeakEwmaLoadBalancer balancer(Optional<String> ownZone) {
        return new PeakEwmaLoadBalancer(Calls.DEFAULTS, new Ladder(ownZone), shifts::add, "svc", clock,
                Clock.systemUTC(), Calls.seededRandom(), meters);
    }

    private static double share(Map<Long, Integer> picks, long... ids) {
        int total = picks.values().stream().mapToInt(Integer::intValue).sum();
        int of = 0;
        for (long id : ids) {
            of += picks.getOrDefault(id, 0);
        }
        return (double) of / total;
    }

    @Test
    void aCallerWithAZoneSendsEveryCallToItsZoneWhileItIsHealthy() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "a"), local(3, "b"), local(4, "b"));
        PeakEwmaLoadBalancer balancer = balancer(Optional.of("a"));

        assertThat(new Traffic(balancer, fleet).picks(2000)).containsOnlyKeys(1L, 2L);
        assertThat(balancer.levels()).extracting(LevelLoad::name, LevelLoad::trafficPercent)
                .containsExactly(tuple("zone a", 100.0),
                        tuple("other zones", 0.0));
    }

    @Test
    void withoutAZoneZonesMakeNoDifference() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "b"));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());

        Map<Long, Integer> picks = new Traffic(balancer, fleet).picks(2000);

        assertThat(share(picks, 1)).isBetween(0.4, 0.6);
        assertThat(balancer.levels()).as("one level: nothing to show").isEmpty();
    }

    @Test
    void aLevelBelowItsOverprovisionedHealthSpillsTheRestToTheNextLevel() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "a"), local(3, "a"), local(4, "b"),
                local(5, "b"), local(6, "b"));
        PeakEwmaLoadBalancer balancer = balancer(Optional.of("a"));
        Traffic traffic = new Traffic(balancer, fleet);

        traffic.failRepeatedly(fleet.get(0), 1, REFUSED);

        // 2 of 3 healthy: 1.4 x 2/3 = 93.3 % stays, 6.7 % spills
        assertThat(share(traffic.picks(20_000), 4, 5, 6)).isBetween(0.05, 0.085);
        assertThat(balancer.levels().get(0).healthy()).isEqualTo(2);
        assertThat(balancer.levels().get(0).trafficPercent()).isEqualTo(93.3);
    }

    @Test
    void theLossOfTheLocalDatacenterMovesEveryCallAtTheFirstFailedTriesAndTheHoldDownBringsThemBack() {
        ServiceInstance a = local(1, "a");
        ServiceInstance b = local(2, "a");
        List<ServiceInstance> fleet = List.of(a, b, inDc2(3), inDc2(4));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        Traffic traffic = new Traffic(balancer, fleet);
        assertThat(traffic.picks(1000)).containsOnlyKeys(1L, 2L);

        traffic.failRepeatedly(a, 1, REFUSED);
        traffic.failRepeatedly(b, 1, REFUSED);

        assertThat(traffic.picks(1000)).containsOnlyKeys(3L, 4L);
        assertThat(shifts).as("told once, at the first spill: 1.4 x 1/2 stayed home")
                .containsExactly(new DatacenterShift("svc", true, 70));
        assertThat(meters.get("fleet.balancer.datacenter.departures").counter().count()).isEqualTo(1);
        assertThat(meters.get("fleet.balancer.local.traffic").gauge().value()).isZero();

        // the refusals' ejections end after the cool-off; the level's health has to hold for the hold-down first
        clock.advance(Calls.DEFAULTS.ejectionCoolOff());
        assertThat(traffic.picks(1000)).containsOnlyKeys(3L, 4L);
        clock.advance(Calls.DEFAULTS.levelHoldDown().minusMillis(1));
        assertThat(traffic.picks(1000)).containsOnlyKeys(3L, 4L);
        clock.advance(Duration.ofMillis(1));

        assertThat(traffic.picks(1000)).containsOnlyKeys(1L, 2L);
        assertThat(shifts).containsExactly(new DatacenterShift("svc", true, 70), new DatacenterShift("svc", false, 100));
        assertThat(meters.get("fleet.balancer.local.traffic").gauge().value()).isEqualTo(1);
    }

    @Test
    void instancesThatStopAnsweringCountAsUnhealthyAfterTwoFailuresWithoutWaitingForAnEjection() {
        ServiceInstance a = local(1, "a");
        ServiceInstance b = local(2, "a");
        List<ServiceInstance> fleet = List.of(a, b, inDc2(3), inDc2(4));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        Traffic traffic = new Traffic(balancer, fleet);

        traffic.failRepeatedly(a, 1, TIMED_OUT);
        traffic.failRepeatedly(b, 1, TIMED_OUT);
        assertThat(balancer.levels().get(0).healthy()).as("one failure is no sign").isEqualTo(2);
        // a penalised instance gets its next call, a probe, after the probe interval
        clock.advance(Calls.DEFAULTS.probeInterval());
        traffic.failRepeatedly(a, 1, TIMED_OUT);
        traffic.failRepeatedly(b, 1, TIMED_OUT);

        assertThat(balancer.estimates().get(1L).ejectedUntil()).as("ejections are capped").isEmpty();
        assertThat(traffic.picks(1000)).containsOnlyKeys(3L, 4L);

        // the failing spell ends after the cool-off, so the level is tried again after the hold-down
        clock.advance(Calls.DEFAULTS.ejectionCoolOff());
        assertThat(traffic.picks(1000)).containsOnlyKeys(3L, 4L);
        clock.advance(Calls.DEFAULTS.levelHoldDown());
        assertThat(traffic.picks(1000)).containsKeys(1L, 2L);
    }

    @Test
    void aLevelThatComesBackAfterLeavingTheCandidatesWaitsForTheHoldDown() {
        ServiceInstance a = local(1, "a");
        List<ServiceInstance> dc2 = List.of(inDc2(3), inDc2(4));
        List<ServiceInstance> both = List.of(a, dc2.get(0), dc2.get(1));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        assertThat(new Traffic(balancer, both).picks(100)).containsOnlyKeys(1L);

        assertThat(new Traffic(balancer, dc2).picks(100)).containsOnlyKeys(3L, 4L);
        assertThat(shifts).containsExactly(new DatacenterShift("svc", true, 0));
        List<ServiceInstance> back = List.of(local(5, "a"), dc2.get(0), dc2.get(1));

        assertThat(new Traffic(balancer, back).picks(100)).containsOnlyKeys(3L, 4L);
        clock.advance(Calls.DEFAULTS.levelHoldDown());
        assertThat(new Traffic(balancer, back).picks(100)).containsOnlyKeys(5L);
    }

    @Test
    void aRetryThatTriedEveryInstanceOfALevelGoesToTheNextOne() {
        ServiceInstance a = local(1, "a");
        List<ServiceInstance> fleet = List.of(a, inDc2(3), inDc2(4));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        ServiceInstance first = balancer.selectServiceInstance(fleet);
        assertThat(first.getId()).isEqualTo(1);
        fail(first, new TimeoutException("per-try timeout"));

        List<ServiceInstance> retry = List.of(fleet.get(1), fleet.get(2));
        ServiceInstance second = balancer.selectServiceInstance(retry);

        assertThat(second.getId()).isIn(3L, 4L);
        succeed(second, Duration.ofMillis(5));
        assertThat(new Traffic(balancer, fleet).picks(100)).as("one failure moves no traffic").containsOnlyKeys(1L);
    }

    @Test
    void aRetryAfterAFailedTryGoesToAnotherLevelSoThatTheTriesReachTheNextDatacenter() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "a"), local(3, "b"), inDc2(4));
        PeakEwmaLoadBalancer balancer = balancer(Optional.of("a"));
        ServiceInstance first = balancer.selectServiceInstance(fleet);
        assertThat(first.getId()).isIn(1L, 2L);
        fail(first, REFUSED);

        List<ServiceInstance> afterOne = fleet.stream().filter(i -> i.getId() != first.getId()).toList();
        ServiceInstance second = balancer.selectServiceInstance(afterOne);
        assertThat(second.getId()).as("the other zone, though zone a has a member left").isEqualTo(3);
        fail(second, REFUSED);

        List<ServiceInstance> afterTwo = afterOne.stream().filter(i -> i.getId() != 3).toList();
        assertThat(balancer.selectServiceInstance(afterTwo).getId()).as("the failover datacenter").isEqualTo(4);
    }

    @Test
    void noCallRunsOutOfTriesInTheLostDatacenterWhateverItsCallsInFlightAndEjections() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "a"), local(3, "b"), inDc2(4), inDc2(5));
        PeakEwmaLoadBalancer balancer = balancer(Optional.of("a"));
        Traffic traffic = new Traffic(balancer, fleet);
        traffic.picks(100);
        // calls open on the instances of dc1 when it is lost: they end reset, after the first refusals
        List<ServiceInstance> open = new ArrayList<>();
        for (ServiceInstance instance : fleet.subList(0, 2)) {
            open.addAll(traffic.openCallsTo(instance, 3));
        }
        int failedCalls = 0;
        for (int call = 0; call < 2000; call++) {
            if (call % 50 == 0 && !open.isEmpty()) {
                open.remove(0).recordEnd(new java.io.IOException("Connection reset"));
            }
            if (call % 200 == 0) {
                // ejections of refusals end while the lost instances are still listed
                clock.advance(Calls.DEFAULTS.ejectionCoolOff());
            }
            List<Long> tried = new ArrayList<>();
            boolean answered = false;
            for (int attempt = 0; attempt < 3 && !answered; attempt++) {
                List<ServiceInstance> untried = fleet.stream().filter(i -> !tried.contains(i.getId())).toList();
                ServiceInstance chosen = balancer.selectServiceInstance(untried);
                tried.add(chosen.getId());
                if (chosen.getId() <= 3) {
                    fail(chosen, REFUSED);
                } else {
                    succeed(chosen, Duration.ofMillis(5));
                    answered = true;
                }
            }
            failedCalls += answered ? 0 : 1;
        }

        assertThat(failedCalls).isZero();
    }

    @Test
    void callsGivenUpForBackupsMoveNoTrafficToAnotherLevel() {
        ServiceInstance slow = local(1, "a");
        List<ServiceInstance> fleet = List.of(slow, local(2, "a"), local(3, "b"));
        PeakEwmaLoadBalancer balancer = balancer(Optional.of("a"));
        Traffic traffic = new Traffic(balancer, fleet);
        for (int i = 0; i < 3; i++) {
            ServiceInstance abandoned = traffic.callTo(slow);
            abandoned.recordStart(true);
            abandoned.recordEnd(new java.util.concurrent.CancellationException("a backup answered first"));
            clock.advance(Calls.DEFAULTS.probeInterval());
        }

        assertThat(balancer.levels().get(0).healthy()).as("slower than another once is no failure").isEqualTo(2);
        assertThat(traffic.picks(1000)).containsOnlyKeys(1L, 2L);
    }

    @Test
    void aBackupTryOfACallStillOpenStaysInItsLevel() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), local(2, "a"), inDc2(3));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        ServiceInstance slow = balancer.selectServiceInstance(fleet);
        slow.recordStart(true);

        List<ServiceInstance> backup = fleet.stream().filter(i -> i.getId() != slow.getId()).toList();

        assertThat(balancer.selectServiceInstance(backup).getId()).isIn(1L, 2L);
    }

    @Test
    void whenEveryLevelIsDownSelectionsPanicAmongAll() {
        List<ServiceInstance> fleet = List.of(local(1, "a"), inDc2(3));
        PeakEwmaLoadBalancer balancer = balancer(Optional.empty());
        Traffic traffic = new Traffic(balancer, fleet);
        traffic.failRepeatedly(fleet.get(0), 1, REFUSED);
        traffic.failRepeatedly(fleet.get(1), 1, REFUSED);

        assertThat(balancer.panicking()).isTrue();
        assertThat(traffic.picks(1000)).containsOnlyKeys(1L, 3L);
        assertThat(meters.get("fleet.balancer.panic.selections").counter().count()).isEqualTo(1000);
    }
}
