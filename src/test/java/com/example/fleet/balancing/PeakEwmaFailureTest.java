package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.fail;
import static com.example.fleet.balancing.Calls.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

class PeakEwmaFailureTest {

    private static final Throwable REFUSED = new RuntimeException("wrapped by the client",
            new ConnectException("Connection refused"));

    private final ManualClock clock = new ManualClock();
    private final ServiceInstance a = instance(1);
    private final ServiceInstance b = instance(2);

    @Test
    void inFlightReturnsToZeroWhateverTheWayCallsEnd() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.DEFAULTS);
        List<ServiceInstance> only = List.of(a);
        ServiceInstance failedWithoutReply = balancer.selectServiceInstance(only);
        ServiceInstance failedAfterReply = balancer.selectServiceInstance(only);
        ServiceInstance endedTwice = balancer.selectServiceInstance(only);
        ServiceInstance untimed = balancer.selectServiceInstance(only);
        List.of(failedWithoutReply, failedAfterReply, endedTwice).forEach(call -> call.recordStart(true));
        untimed.recordStart(false);
        assertThat(inFlight(balancer, 1)).isEqualTo(4);

        failedWithoutReply.recordEnd(new TimeoutException());
        Calls.reply(failedAfterReply, Duration.ofMillis(3));
        failedAfterReply.recordEnd(new IOException("Connection reset"));
        endedTwice.recordEnd(null);
        endedTwice.recordEnd(new IOException("late"));
        untimed.recordEnd(null);
        // an end without a start must not take the count below zero
        balancer.selectServiceInstance(only).recordEnd(new IOException());

        assertThat(inFlight(balancer, 1)).isZero();
    }

    @Test
    void aCallWhoseEndIsNeverReportedFailsAfterTheCallTimeout() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.DEFAULTS);
        List<ServiceInstance> only = List.of(a);
        // reset after the request was sent: the REST client reports the start, and nothing after it
        balancer.selectServiceInstance(only).recordStart(true);
        clock.advance(Duration.ofSeconds(29));
        balancer.selectServiceInstance(only);
        assertThat(inFlight(balancer, 1)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(9));
        balancer.selectServiceInstance(only);
        assertThat(inFlight(balancer, 1)).isZero();
        assertThat(estimateMillis(balancer, 1)).isGreaterThan(1000.0);
    }

    @Test
    void onlyTheFirstEndOfACallCounts() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.DEFAULTS);
        ServiceInstance call = balancer.selectServiceInstance(List.of(a));

        Calls.succeed(call, Duration.ofMillis(5));
        call.recordEnd(new IOException("reported again by another layer"));

        assertThat(estimateMillis(balancer, 1)).isEqualTo(30.0);
        assertThat(inFlight(balancer, 1)).isZero();
    }

    @Test
    void repliesOfCallsStartedWithoutTimingAreIgnored() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.DEFAULTS);
        ServiceInstance streaming = balancer.selectServiceInstance(List.of(a));

        // Stork then subtracts an unset start time: the "latency" is nonsense
        streaming.recordStart(false);
        Calls.reply(streaming, Duration.ofDays(365));
        streaming.recordEnd(null);

        assertThat(estimateMillis(balancer, 1)).isEqualTo(30.0);
    }

    @Test
    void aFailureCountsAsThePenaltyAndDecaysBack() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.DEFAULTS);

        fail(balancer.selectServiceInstance(List.of(a)), new IOException("Connection reset"));

        assertThat(estimateMillis(balancer, 1)).isEqualTo(2000.0);
        assertThat(balancer.estimates().get(1L).ejectedUntil()).isEmpty();
        clock.advance(Duration.ofSeconds(60));
        assertThat(estimateMillis(balancer, 1)).isLessThan(40.0);
    }

    @Test
    void aRefusedConnectionEjectsUntilTheCoolOffEnds() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);
        List<ServiceInstance> both = List.of(a, b);
        fail(balancer.selectServiceInstance(List.of(a)), REFUSED);

        clock.advance(Duration.ofMillis(4_999));
        assertThat(picks(balancer, both, 200)).doesNotContainKey(1L);

        clock.advance(Duration.ofMillis(1));
        assertThat(picks(balancer, both, 200).get(1L)).isGreaterThan(50);
    }

    @Test
    void aRefusedConnectionEjectsUntilDiscoveryDropsAndReAddsTheInstance() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);
        List<ServiceInstance> both = List.of(a, b);
        balancer.selectServiceInstance(both);
        fail(balancer.selectServiceInstance(List.of(a)), REFUSED);
        assertThat(picks(balancer, both, 200)).doesNotContainKey(1L);

        // discovery's snapshot without a, as every call of a while gets it (a collection used once is a retry's)
        List<ServiceInstance> withoutA = List.of(b);
        balancer.selectServiceInstance(withoutA);
        balancer.selectServiceInstance(withoutA);

        assertThat(picks(balancer, both, 200).get(1L)).isGreaterThan(50);
        assertThat(balancer.estimates().get(1L).ejectedUntil()).isEmpty();
    }

    @Test
    void whenEveryCandidateIsEjectedEjectionIsIgnored() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);
        List<ServiceInstance> both = List.of(a, b);
        // both are candidates of every selection: the second goes to the one not ejected yet
        fail(balancer.selectServiceInstance(both), REFUSED);
        fail(balancer.selectServiceInstance(both), REFUSED);
        assertThat(balancer.estimates().values()).allMatch(load -> load.ejectedUntil().isPresent());

        Map<Long, Integer> picks = picks(balancer, both, 200);

        assertThat(picks.keySet()).as("a chance of success beats certain failure: both are still tried")
                .containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void theOnlyCandidateNotEjectedIsChosenWhateverTheRandomDraws() {
        for (int position = 0; position < 3; position++) {
            PeakEwmaLoadBalancer balancer = Calls.balancer(Calls.WITHOUT_PENALTY, clock,
                    Clock.systemUTC(), Calls.alwaysLowestDraw(), new SimpleMeterRegistry());
            List<ServiceInstance> fleet = List.of(instance(1), instance(2), instance(3));
            ServiceInstance live = fleet.get(position);
            // the same instances with the live one last: with the lowest draws, each selection (and so each
            // refusal) goes to the first one not ejected yet
            List<ServiceInstance> liveLast = Stream.concat(fleet.stream().filter(other -> other != live),
                    Stream.of(live)).toList();
            fail(balancer.selectServiceInstance(liveLast), REFUSED);
            fail(balancer.selectServiceInstance(liveLast), REFUSED);
            assertThat(balancer.estimates()).allSatisfy((id, load) -> assertThat(load.ejectedUntil().isEmpty())
                    .isEqualTo(id == live.getId()));

            assertThat(picks(balancer, fleet, 20)).as("live instance at position %d", position)
                    .containsOnlyKeys(live.getId());
        }
    }

    @Test
    void otherFailuresDoNotEjectAtOnce() {
        PeakEwmaLoadBalancer balancer = balancer(Calls.WITHOUT_PENALTY);
        fail(balancer.selectServiceInstance(List.of(a)), new IOException("Connection reset by peer"));
        fail(balancer.selectServiceInstance(List.of(a)), new TimeoutException());

        assertThat(balancer.estimates().get(1L).ejectedUntil()).isEmpty();
        assertThat(picks(balancer, List.of(a, b), 200).get(1L)).isGreaterThan(50);
    }

    private PeakEwmaLoadBalancer balancer(PeakEwmaSettings settings) {
        return Calls.balancer(settings, clock, Clock.systemUTC(), Calls.seededRandom(),
                new SimpleMeterRegistry());
    }

    private static Map<Long, Integer> picks(PeakEwmaLoadBalancer balancer, List<ServiceInstance> candidates,
            int selections) {
        Map<Long, Integer> picks = new HashMap<>();
        for (int i = 0; i < selections; i++) {
            picks.merge(balancer.selectServiceInstance(candidates).getId(), 1, Integer::sum);
        }
        return picks;
    }

    private static int inFlight(PeakEwmaLoadBalancer balancer, long id) {
        return balancer.estimates().get(id).inFlight();
    }

    private static double estimateMillis(PeakEwmaLoadBalancer balancer, long id) {
        return balancer.estimates().get(id).estimateMillis();
    }
}
