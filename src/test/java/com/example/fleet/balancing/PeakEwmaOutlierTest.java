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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.Test;

import io.smallrye.stork.api.ServiceInstance;

/** Ejection of instances whose calls fail again and again, after Envoy's outlier detection. */
class PeakEwmaOutlierTest {

    private static final Instant WALL_NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Throwable SERVER_ERROR = new WebApplicationException(500);
    private static final Throwable NOT_FOUND = new WebApplicationException(404);
    private static final Throwable REFUSED = new ConnectException("Connection refused");

    private final ManualClock clock = new ManualClock();
    private final ServiceInstance a = instance(1);
    private final ServiceInstance b = instance(2);
    private final List<ServiceInstance> fleet = List.of(a, b);
    // without a failure penalty, only an ejection keeps a failing instance out
    private PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);

    @Test
    void consecutiveFailuresEjectForTheBaseTime() {
        failRepeatedly(a, 4, SERVER_ERROR);
        assertThat(load(1).consecutiveFailures()).isEqualTo(4);
        assertThat(load(1).ejectedUntil()).isEmpty();

        failRepeatedly(a, 1, SERVER_ERROR);

        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
        assertThat(load(1).timesEjected()).isEqualTo(1);
        assertThat(load(1).consecutiveFailures()).as("the run of failures has been acted on").isZero();
        clock.advance(Duration.ofMillis(29_999));
        assertThat(picks(200)).doesNotContainKey(1L);
        clock.advance(Duration.ofMillis(1));
        assertThat(picks(200).get(1L)).isGreaterThan(50);
    }

    @Test
    void aSuccessOrAClientErrorEndsTheRunOfFailures() {
        failRepeatedly(a, 4, SERVER_ERROR);
        succeed(callTo(a), Duration.ofMillis(5));
        assertThat(load(1).consecutiveFailures()).isZero();

        failRepeatedly(a, 4, SERVER_ERROR);
        // the instance answered as designed: a request it does not know is no sign of its failing
        failRepeatedly(a, 4, NOT_FOUND);

        assertThat(load(1).consecutiveFailures()).isZero();
        assertThat(load(1).ejectedUntil()).isEmpty();
    }

    @Test
    void timeoutsResetsWrappedErrorsAndCallsWithoutEndCountAsFailures() {
        // reset after the request was sent: the REST client reports no end, the call timeout ends it as failed
        callTo(a).recordStart(true);
        clock.advance(Calls.WITHOUT_PENALTY.callTimeout().plusSeconds(1));
        balancer.selectServiceInstance(fleet);
        assertThat(load(1).consecutiveFailures()).isEqualTo(1);

        fail(callTo(a), new TimeoutException());
        fail(callTo(a), new IOException("Connection reset by peer"));
        fail(callTo(a), new RuntimeException("wrapped by a caller", new WebApplicationException(503)));
        assertThat(load(1).ejectedUntil()).isEmpty();
        fail(callTo(a), new IllegalStateException("any other error"));

        assertThat(load(1).ejectedUntil()).isPresent();
    }

    @Test
    void eachEjectionLastsTheBaseTimesItsNumberUpToTheMax() {
        balancer = balancer(Calls.withOutliers(new OutlierDetection(5, Duration.ofSeconds(30),
                Duration.ofSeconds(100))));

        for (int seconds : new int[] { 30, 60, 90, 100, 100 }) {
            failRepeatedly(a, 5, SERVER_ERROR);
            assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(seconds));
            clock.advance(Duration.ofSeconds(seconds));
        }
        assertThat(load(1).timesEjected()).as("counted no further than the first ejection of max length")
                .isEqualTo(4);
    }

    @Test
    void theCountDropsByOneForEachBaseSpentBackInRotation() {
        failRepeatedly(a, 5, SERVER_ERROR);
        clock.advance(Duration.ofSeconds(30));
        failRepeatedly(a, 5, SERVER_ERROR);
        clock.advance(Duration.ofSeconds(60));
        assertThat(load(1).timesEjected()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(30));
        assertThat(load(1).timesEjected()).isEqualTo(1);
        failRepeatedly(a, 5, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(60));

        clock.advance(Duration.ofSeconds(60 + 90));
        assertThat(load(1).timesEjected()).isZero();
        failRepeatedly(a, 5, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
    }

    @Test
    void failuresOfCallsThatEndDuringTheEjectionDoNotCount() {
        List<ServiceInstance> calls = openCallsTo(a, 10);
        calls.subList(0, 5).forEach(call -> call.recordEnd(SERVER_ERROR));

        clock.advance(Duration.ofSeconds(1));
        calls.subList(5, 10).forEach(call -> call.recordEnd(SERVER_ERROR));

        assertThat(load(1).consecutiveFailures()).isZero();
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(29));
        clock.advance(Duration.ofSeconds(29));
        failRepeatedly(a, 1, SERVER_ERROR);
        assertThat(load(1).ejectedUntil()).isEmpty();
    }

    @Test
    void aRefusedConnectionEjectsAtOnceButNeverShortensALongerEjection() {
        fail(callTo(a), REFUSED);
        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(5));
        assertThat(load(1).timesEjected()).as("a refusal does not lengthen ejections for failures").isZero();

        clock.advance(Duration.ofSeconds(5));
        List<ServiceInstance> calls = openCallsTo(a, 6);
        calls.subList(0, 5).forEach(call -> call.recordEnd(SERVER_ERROR));
        calls.get(5).recordEnd(REFUSED);

        assertThat(load(1).ejectedUntil()).contains(WALL_NOW.plusSeconds(30));
    }

    @Test
    void anInstanceThatDiscoveryDropsAndListsAgainStartsWithACleanRecord() {
        failRepeatedly(a, 5, SERVER_ERROR);
        failRepeatedly(b, 3, SERVER_ERROR);

        balancer.selectServiceInstance(List.of(b));
        balancer.selectServiceInstance(fleet);

        assertThat(load(1)).isEqualTo(new InstanceLoad(30.0, 0, 0, 0, Optional.empty()));
        assertThat(load(2).consecutiveFailures()).as("listed all along").isEqualTo(3);
    }

    private PeakEwmaLoadBalancer balancer(PeakEwmaSettings settings) {
        return new PeakEwmaLoadBalancer(settings, clock, Clock.fixed(WALL_NOW, ZoneOffset.UTC), Calls.seededRandom());
    }

    /** A call that the balancer sent to {@code target}, selected among the whole fleet. */
    private ServiceInstance callTo(ServiceInstance target) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            ServiceInstance selected = balancer.selectServiceInstance(fleet);
            if (selected.getId() == target.getId()) {
                return selected;
            }
        }
        throw new AssertionError("instance " + target.getId() + " is never selected");
    }

    /** {@code count} calls to {@code target}, started together: selected first, so that none weighs on the next. */
    private List<ServiceInstance> openCallsTo(ServiceInstance target, int count) {
        List<ServiceInstance> calls = Stream.generate(() -> callTo(target)).limit(count).toList();
        calls.forEach(call -> call.recordStart(true));
        return calls;
    }

    private void failRepeatedly(ServiceInstance target, int times, Throwable error) {
        for (int i = 0; i < times; i++) {
            fail(callTo(target), error);
        }
    }

    private Map<Long, Integer> picks(int selections) {
        Map<Long, Integer> picks = new HashMap<>();
        for (int i = 0; i < selections; i++) {
            picks.merge(balancer.selectServiceInstance(fleet).getId(), 1, Integer::sum);
        }
        return picks;
    }

    private InstanceLoad load(long id) {
        return balancer.estimates().get(id);
    }
}
