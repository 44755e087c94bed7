package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.OutlierDetection;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

/** Below the panic threshold of candidates left, the balancer chooses among all as if none were ejected. */
class PeakEwmaPanicTest {

    private static final Throwable REFUSED = new ConnectException("Connection refused");

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ServiceInstance> four = LongStream.rangeClosed(1, 4).mapToObj(Calls::instance).toList();
    private PeakEwmaLoadBalancer balancer;

    @Test
    void belowThePanicThresholdEveryCandidateIsChosen() {
        Traffic traffic = traffic(50);
        refuse(traffic, 1, 2);
        assertThat(traffic.picks(400)).as("half are left: ejections hold").containsOnlyKeys(3L, 4L);
        assertThat(balancer.panicking()).isFalse();
        assertThat(panicSelections()).isZero();

        refuse(traffic, 3);

        assertThat(traffic.picks(400)).as("a quarter is left").containsOnlyKeys(1L, 2L, 3L, 4L);
        assertThat(balancer.panicking()).isTrue();
        assertThat(panicSelections()).isEqualTo(400.0);
    }

    @Test
    void thePanicEndsWithTheEjectionThatTakesTheShareLeftBackToTheThreshold() {
        Traffic traffic = traffic(50);
        refuse(traffic, 1);
        clock.advance(Duration.ofSeconds(1));
        refuse(traffic, 2, 3);
        assertThat(traffic.picks(400)).containsOnlyKeys(1L, 2L, 3L, 4L);

        // instance 1 was ejected for the cool-off, 5 s, a second before the others
        clock.advance(Duration.ofSeconds(4));

        assertThat(traffic.picks(400)).containsOnlyKeys(1L, 4L);
        assertThat(balancer.panicking()).isFalse();
    }

    @Test
    void aThresholdOfZeroHonoursEjectionsWhileAnyCandidateIsLeft() {
        Traffic traffic = traffic(0);
        refuse(traffic, 1, 2, 3);
        assertThat(traffic.picks(400)).containsOnlyKeys(4L);

        refuse(traffic, 4);

        assertThat(traffic.picks(400)).as("a chance of success beats certain failure")
                .containsOnlyKeys(1L, 2L, 3L, 4L);
    }

    @Test
    void aThresholdOfAHundredIgnoresAnyEjection() {
        Traffic traffic = traffic(100);

        refuse(traffic, 1);

        assertThat(traffic.picks(400)).containsOnlyKeys(1L, 2L, 3L, 4L);
    }

    /** A balancer without penalty (only ejections keep instances out) and with this panic threshold. */
    private Traffic traffic(int panicThreshold) {
        PeakEwmaSettings settings = Calls.withOutliers(new OutlierDetection(5, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 10, panicThreshold));
        balancer = Calls.balancer(settings, clock, Clock.systemUTC(), Calls.seededRandom(), meters);
        return new Traffic(balancer, four);
    }

    private double panicSelections() {
        return meters.get("fleet.balancer.panic.selections").counter().count();
    }

    private void refuse(Traffic traffic, long... ids) {
        for (long id : ids) {
            traffic.failRepeatedly(instance(id), 1, REFUSED);
        }
    }
}
