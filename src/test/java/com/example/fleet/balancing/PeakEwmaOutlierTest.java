package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.fail;
import static com.example.fleet.balancing.Calls.instance;
import static com.example.fleet.balancing.Calls.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.InstanceLoad;
import com.example.fleet.balancing.rules.OutlierDetection;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

/** Ejection of instances whose calls fail again and again, after Envoy's outlier detection. */
class PeakEwmaOutlierTest {

    private static final Instant WALL_NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Throwable SERVER_ERROR = new WebApplicationException(500);
    private static final Throwable NOT_FOUND = new WebApplicationException(404);
    private static final Throwable REFUSED = new ConnectException("Connection refused");

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ServiceInstance a = instance(1);
    private final ServiceInstance b = instance(2);
    private final List<ServiceInstance> fleet = List.of(a, b);
    // without a failure penalty, only an ejection keeps a failing instance out
    private PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);
    private Traffic traffic = new Traffic(balancer, fleet);

    @Test
    void consecutiveFailuresEjectForTheBaseTime() {
        traffic.failRepeatedly(a, 4, SERVER_ERROR);
        assertThat(load(1).consecutiveFailures()).isEqualTo(4);
        assertThat(load(1).ejectedUntil()).isEmpty();

        traffic.failRepeatedly(a, 1, SERVER_ERROR);

        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
        assertThat(load(1).timesEjected()).isEqualTo(1);
        assertThat(load(1).consecutiveFailures()).as("the run of failures has been acted on").isZero();
        clock.advance(Duration.ofMillis(29_999));
        assertThat(traffic.picks(200)).doesNotContainKey(1L);
        clock.advance(Duration.ofMillis(1));
        assertThat(traffic.picks(200).get(1L)).isGreaterThan(50);
    }

    @Test
    void aSuccessOrAClientErrorEndsTheRunOfFailures() {
        traffic.failRepeatedly(a, 4, SERVER_ERROR);
        succeed(traffic.callTo(a), Duration.ofMillis(5));
        assertThat(load(1).consecutiveFailures()).isZero();

        traffic.failRepeatedly(a, 4, SERVER_ERROR);
        // the instance answered as designed: a request it does not know is no sign of its failing
        traffic.failRepeatedly(a, 4, NOT_FOUND);

        assertThat(load(1).consecutiveFailures()).isZero();
        assertThat(load(1).ejectedUntil()).isEmpty();
    }

    @Test
    void timeoutsResetsWrappedErrorsAndCallsWithoutEndCountAsFailures() {
        // reset after the request was sent: the REST client reports no end, the call timeout ends it as failed
        traffic.callTo(a).recordStart(true);
        clock.advance(Calls.WITHOUT_PENALTY.callTimeout().plusSeconds(1));
        balancer.selectServiceInstance(fleet);
        assertThat(load(1).consecutiveFailures()).isEqualTo(1);

        fail(traffic.callTo(a), new TimeoutException());
        fail(traffic.callTo(a), new IOException("Connection reset by peer"));
        fail(traffic.callTo(a), new RuntimeException("wrapped by a caller", new WebApplicationException(503)));
        assertThat(load(1).ejectedUntil()).isEmpty();
        fail(traffic.callTo(a), new IllegalStateException("any other error"));

        assertThat(load(1).ejectedUntil()).isPresent();
    }

    @Test
    void eachEjectionLastsTheBaseTimesItsNumberUpToTheMax() {
        useBalancer(Calls.withOutliers(new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofSeconds(100), 10,
                0)));

        for (int seconds : new int[] { 30, 60, 90, 100, 100 }) {
            traffic.failRepeatedly(a, 5, SERVER_ERROR);
            assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(seconds));
            clock.advance(Duration.ofSeconds(seconds));
        }
        assertThat(load(1).timesEjected()).as("counted no further than the first ejection of the max length")
                .isEqualTo(4);
    }

    @Test
    void theCountDropsByOneForEachBaseSpentBackInRotation() {
        traffic.failRepeatedly(a, 5, SERVER_ERROR);
        clock.advance(Duration.ofSeconds(30));
        traffic.failRepeatedly(a, 5, SERVER_ERROR);
        clock.advance(Duration.ofSeconds(60));
        assertThat(load(1).timesEjected()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(30));
        assertThat(load(1).timesEjected()).isEqualTo(1);
        traffic.failRepeatedly(a, 5, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(60));

        clock.advance(Duration.ofSeconds(60 + 90));
        assertThat(load(1).timesEjected()).isZero();
        traffic.failRepeatedly(a, 5, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
    }

    @Test
    void failuresOfCallsThatEndDuringTheEjectionDoNotCount() {
        List<ServiceInstance> calls = traffic.openCallsTo(a, 10);
        calls.subList(0, 5).forEach(call -> call.recordEnd(SERVER_ERROR));

        clock.advance(Duration.ofSeconds(1));
        calls.subList(5, 10).forEach(call -> call.recordEnd(SERVER_ERROR));

        assertThat(load(1).consecutiveFailures()).isZero();
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(29));
        clock.advance(Duration.ofSeconds(29));
        traffic.failRepeatedly(a, 1, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).isEmpty();
    }

    @Test
    void aRefusedConnectionEjectsAtOnceButNeverShortensALongerEjection() {
        traffic.failRepeatedly(a, 1, REFUSED);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(5));
        assertThat(load(1).timesEjected()).as("a refusal does not lengthen ejections for failures").isZero();

        clock.advance(Duration.ofSeconds(5));
        List<ServiceInstance> calls = traffic.openCallsTo(a, 6);
        calls.subList(0, 5).forEach(call -> call.recordEnd(SERVER_ERROR));
        calls.get(5).recordEnd(REFUSED);

        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
    }

    @Test
    void anInstanceThatDiscoveryDropsAndListsAgainStartsWithACleanRecord() {
        traffic.failRepeatedly(a, 5, SERVER_ERROR);
        traffic.failRepeatedly(b, 3, SERVER_ERROR);

        // discovery's snapshot without a, as every call of a while gets it (a collection used once is a retry's)
        List<ServiceInstance> withoutA = List.of(b);
        balancer.selectServiceInstance(withoutA);
        balancer.selectServiceInstance(withoutA);
        balancer.selectServiceInstance(fleet);

        assertThat(load(1)).isEqualTo(new InstanceLoad(30.0, 0, 0, 0, Optional.empty(), 0, Optional.empty()));
        assertThat(load(2).consecutiveFailures()).as("listed all along").isEqualTo(3);
    }

    @Test
    void atMostMaxEjectedPercentOfTheCandidatesAreEjectedForFailures() {
        List<ServiceInstance> twenty = LongStream.rangeClosed(1, 20).mapToObj(Calls::instance).toList();
        useBalancer(Calls.DEFAULTS);
        traffic = new Traffic(balancer, twenty);
        List<ServiceInstance> third = traffic.openCallsTo(twenty.get(2), 6);

        traffic.failRepeatedly(twenty.get(0), 5, SERVER_ERROR);
        traffic.failRepeatedly(twenty.get(1), 5, SERVER_ERROR);
        third.subList(0, 5).forEach(call -> call.recordEnd(SERVER_ERROR));

        assertThat(load(1).ejectedUntil()).isPresent();
        assertThat(load(2).ejectedUntil()).isPresent();
        assertThat(load(3).ejectedUntil()).as("10 % of 20 are ejected already").isEmpty();
        assertThat(load(3).consecutiveFailures()).isEqualTo(5);
        assertThat(load(3).estimateMillis()).as("its failures still weigh as the penalty").isEqualTo(2000.0);

        clock.advance(Duration.ofSeconds(30));
        third.get(5).recordEnd(SERVER_ERROR);
        assertThat(load(3).ejectedUntil()).as("the next failure after an ejection ended").isPresent();
    }

    @Test
    void oneInstanceMayBeEjectedForFailuresHoweverFewTheCandidatesAndRefusalsDoNotCount() {
        ServiceInstance c = instance(3);
        traffic = new Traffic(balancer, List.of(a, b, c));
        traffic.failRepeatedly(a, 1, REFUSED);

        traffic.failRepeatedly(b, 5, SERVER_ERROR);
        traffic.failRepeatedly(c, 5, SERVER_ERROR);

        assertThat(load(2).ejectedUntil()).as("a refused connection leaves the share to failures").isPresent();
        assertThat(load(3).ejectedUntil()).as("one of three is the most").isEmpty();
        traffic.failRepeatedly(c, 1, REFUSED);
        assertThat(load(3).ejectedUntil()).as("refusals are not limited").isPresent();
    }

    @Test
    void ejectionsAreCountedByReasonOncePerEjection() {
        traffic.openCallsTo(a, 2).forEach(call -> call.recordEnd(REFUSED));
        traffic.failRepeatedly(b, 5, SERVER_ERROR);

        assertThat(ejections("refused")).as("the second refusal only extends the ejection").isEqualTo(1.0);
        assertThat(ejections("failures")).isEqualTo(1.0);
    }

    private double ejections(String reason) {
        return meters.get("fleet.balancer.ejections").tag("reason", reason).counter().count();
    }

    private PeakEwmaLoadBalancer balancer(PeakEwmaSettings settings) {
        return Calls.balancer(settings, clock, Clock.fixed(WALL_NOW, ZoneOffset.UTC), Calls.seededRandom(),
                meters);
    }

    private void useBalancer(PeakEwmaSettings settings) {
        balancer = balancer(settings);
        traffic = new Traffic(balancer, fleet);
    }

    private InstanceLoad load(long id) {
        return balancer.estimates().get(id);
    }
}
