package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.fail;
import static com.example.fleet.balancing.Calls.instance;
import static com.example.fleet.balancing.Calls.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.InstanceLoad;
import com.example.fleet.support.ProbeCall;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

/**
 * An instance that accepts calls and never answers, next to one that fails: the age of an open call counts as
 * latency, a penalised instance gets one call at a time, and calls given up for a hedge that won count toward its
 * run of failures, so that neither hides behind the other's ejection.
 */
class PeakEwmaGrayFailureTest {

    private static final Instant WALL_NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Throwable SERVER_ERROR = new WebApplicationException(503);

    private final ManualClock clock = new ManualClock();
    private final ServiceInstance hung = instance(1);
    private final ServiceInstance healthy = instance(2);
    private final ServiceInstance failing = instance(3);
    private final List<ServiceInstance> fleet = List.of(hung, healthy, failing);
    private final PeakEwmaLoadBalancer balancer = Calls.balancer(Calls.DEFAULTS, clock,
            Clock.fixed(WALL_NOW, ZoneOffset.UTC), Calls.seededRandom(), new SimpleMeterRegistry());
    private final Traffic traffic = new Traffic(balancer, fleet);

    private InstanceLoad load(ServiceInstance instance) {
        return balancer.estimates().get(instance.getId());
    }

    @Test
    void aCallOpenLongerThanRepliesTakeCountsAsTheInstancesLatency() {
        succeed(traffic.callTo(healthy), Duration.ofMillis(5));
        traffic.openCallsTo(hung, 1);

        clock.advance(Duration.ofMillis(800));
        // busy with new calls: a hung instance judged by its replies alone (none: the neutral 30 ms) would win
        traffic.openCallsTo(healthy, 20);

        assertThat(load(hung).estimateMillis()).isGreaterThanOrEqualTo(800);
        assertThat(load(hung).oldestOpenCallMillis()).isEqualTo(800);
        assertThat(load(hung).avoided()).contains("slow: a call open for 800 ms counts as its latency");
        assertThat(traffic.picks(300)).as("new calls go elsewhere while its first is open").doesNotContainKey(1L);
    }

    @Test
    void aPenalisedInstanceGetsOneCallAtATimeUntilOneSucceeds() {
        fail(traffic.callTo(failing), SERVER_ERROR);
        assertThat(load(failing).avoided()).contains("penalised: its next call is a probe");
        // its penalty relaxes while the others are busy: it is worth a probe again
        clock.advance(Duration.ofSeconds(60));
        traffic.openCallsTo(healthy, 20);
        traffic.openCallsTo(hung, 20);
        ServiceInstance probe = traffic.callTo(failing);
        probe.recordStart(true);

        assertThat(((ProbeCall) probe).isProbe()).as("a caller that hedges lets it run to its end").isTrue();
        assertThat(load(failing).avoided()).contains("probing: one call at a time since a failed or abandoned one");
        assertThat(traffic.picks(300)).as("no second call while the probe is out").doesNotContainKey(3L);

        Calls.reply(probe, Duration.ofMillis(5));
        probe.recordEnd(null);
        assertThat(load(failing).avoided()).isEmpty();
        ServiceInstance next = traffic.callTo(failing);
        next.recordStart(true);
        assertThat(((ProbeCall) next).isProbe()).isFalse();
        assertThat(traffic.picks(300)).containsKey(3L);
    }

    @Test
    void callsGivenUpForAHedgePenaliseWithoutEjectingWhileTheProbesOfAnInstanceThatNeverAnswersFailAndEjectIt() {
        traffic.openCallsTo(healthy, 20);
        traffic.openCallsTo(failing, 20);
        // five calls in flight when the first was given up, as a new instance warming up may have
        traffic.openCallsTo(hung, 5).forEach(call -> call.recordEnd(new CancellationException("a backup answered")));
        assertThat(load(hung).consecutiveFailures()).isEqualTo(5);
        assertThat(load(hung).ejectedUntil()).as("slower than backups is no error").isEmpty();

        // its probes are never given up: one that never answers fails them on the per-try timeout
        for (int i = 1; i <= 5; i++) {
            clock.advance(Calls.DEFAULTS.probeInterval());
            ServiceInstance probe = traffic.callTo(hung);
            probe.recordStart(true);
            assertThat(((ProbeCall) probe).isProbe()).isTrue();
            assertThat(load(hung).ejectedUntil()).isEmpty();
            probe.recordEnd(new TimeoutException("no answer within the per-try timeout"));
        }

        assertThat(load(hung).ejectedUntil()).isPresent();
        assertThat(traffic.picks(300)).doesNotContainKey(1L);
    }

    @Test
    void aHealthyInstanceSlowNowAndThenLosesNothingToAnAbandonedCall() {
        ServiceInstance abandoned = traffic.callTo(healthy);
        abandoned.recordStart(true);
        clock.advance(Duration.ofMillis(15));
        abandoned.recordEnd(new CancellationException("another try answered first"));
        assertThat(load(healthy).consecutiveFailures()).isEqualTo(1);
        assertThat(load(healthy).estimateMillis()).as("no penalty: its time so far, a lower bound").isLessThan(100);

        // its next call is a probe, one per probe-interval; busy, it would have other calls ending meanwhile
        clock.advance(Calls.DEFAULTS.probeInterval());
        succeed(traffic.callTo(healthy), Duration.ofMillis(5));

        assertThat(load(healthy).consecutiveFailures()).isZero();
        assertThat(load(healthy).avoided()).isEmpty();
    }

    @Test
    void anotherInstancesEjectionDoesNotShieldOneThatHangs() {
        // the failing instance takes the only ejection slot of a small fleet (10 % of 3 rounds to one)
        traffic.failRepeatedly(failing, 5, SERVER_ERROR);
        assertThat(load(failing).ejectedUntil()).isPresent();
        succeed(traffic.callTo(healthy), Duration.ofMillis(5));

        traffic.openCallsTo(hung, 1);
        clock.advance(Duration.ofMillis(800));
        traffic.openCallsTo(healthy, 20);

        assertThat(traffic.picks(300)).containsOnlyKeys(2L);
    }

    @Test
    void aRetryThatLeavesInstancesOutKeepsTheirRecordAndEjection() {
        traffic.failRepeatedly(failing, 5, SERVER_ERROR);
        fail(traffic.callTo(hung), SERVER_ERROR);
        assertThat(load(failing).ejectedUntil()).isPresent();

        // a retry of a call that tried the hung instance: a collection without it, used once
        balancer.selectServiceInstance(List.of(healthy, failing));
        balancer.selectServiceInstance(fleet);

        assertThat(load(hung).consecutiveFailures()).as("not dropped by discovery: its record stays").isEqualTo(1);
        assertThat(load(failing).ejectedUntil()).isPresent();
    }

    @Test
    void aPenalisedInstanceGetsAtMostOneProbePerIntervalAlsoWhenEachIsGivenUpAtOnce() {
        fail(traffic.callTo(hung), SERVER_ERROR);
        clock.advance(Duration.ofSeconds(60));
        traffic.openCallsTo(healthy, 20);
        traffic.openCallsTo(failing, 20);
        ServiceInstance probe = traffic.callTo(hung);
        probe.recordStart(true);
        // a backup answered first: the probe is given up at once
        probe.recordEnd(new CancellationException("another try answered first"));

        assertThat(traffic.picks(300)).as("no probe within the interval").doesNotContainKey(1L);
        clock.advance(Calls.DEFAULTS.probeInterval());
        assertThat(traffic.picks(300)).containsKey(1L);
    }
    @Test
    void aBackupTryWhoseOthersAreAllAvoidedGoesToAnInstanceItTriedThatIsSound() {
        fail(traffic.callTo(hung), SERVER_ERROR);
        clock.advance(Duration.ofSeconds(60));
        traffic.failRepeatedly(failing, 5, SERVER_ERROR);
        assertThat(load(failing).ejectedUntil()).isPresent();
        // the call's first try is slow on the healthy instance, busy with others, so a backup try follows among the
        // instances it has not tried; the hung one's probe is out
        traffic.openCallsTo(healthy, 20);
        traffic.callTo(hung).recordStart(true);

        for (int i = 0; i < 100; i++) {
            ServiceInstance backup = balancer.selectServiceInstance(List.of(hung, failing));
            assertThat(backup.getId()).as("not the ejected one, nor a second call to the probed one").isEqualTo(2L);
        }
    }
}
