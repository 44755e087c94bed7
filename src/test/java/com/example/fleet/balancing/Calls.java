package com.example.fleet.balancing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import com.example.fleet.balancing.ladder.Ladder;
import com.example.fleet.balancing.rules.OutlierDetection;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.impl.ServiceInstanceWithStatGathering;

/** Instances and calls the way Stork and the REST client produce them. */
final class Calls {

    static final OutlierDetection DEFAULT_OUTLIERS = new OutlierDetection(5, Duration.ofSeconds(30),
            Duration.ofSeconds(300), 10, 50);

    static final PeakEwmaSettings DEFAULTS = new PeakEwmaSettings(Duration.ofSeconds(10), Duration.ofMillis(30),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofSeconds(10), DEFAULT_OUTLIERS);

    /**
     * A penalty too small to matter, probes not paced, and panic only once every candidate is ejected, so that only
     * an ejection keeps an instance that failed out, whatever the share ejected.
     */
    static final PeakEwmaSettings WITHOUT_PENALTY = withOutliers(new OutlierDetection(5, Duration.ofSeconds(30),
            Duration.ofSeconds(300), 10, 0));

    private Calls() {
    }

    /** Settings without penalty nor probe pacing (see {@link #WITHOUT_PENALTY}) and with these outlier rules. */
    static PeakEwmaSettings withOutliers(OutlierDetection outliers) {
        return new PeakEwmaSettings(Duration.ofSeconds(10), Duration.ofMillis(30), Duration.ofNanos(1),
                Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(10), outliers);
    }

    /** The same choices on every run: share assertions then hold or fail for good, not by chance. */
    /** A balancer on one level: no zone, no failover datacenter. */
    static PeakEwmaLoadBalancer balancer(PeakEwmaSettings settings, LongSupplier nanoClock, Clock wallClock,
            Supplier<RandomGenerator> random, MeterRegistry meters) {
        return new PeakEwmaLoadBalancer(settings, new Ladder(Optional.empty()), shift -> {
        }, "unnamed", nanoClock, wallClock, random, meters);
    }

    static Supplier<RandomGenerator> seededRandom() {
        Random random = new Random(20261201L);
        return () -> random;
    }

    /**
     * A random source whose every draw is the lowest possible: the worst luck for a balancer that draws
     * candidates, as each draw lands on the same one.
     */
    static Supplier<RandomGenerator> alwaysLowestDraw() {
        RandomGenerator lowest = () -> 0L;
        return () -> lowest;
    }

    static ServiceInstance instance(long id) {
        return instance(id, Map.of());
    }

    static ServiceInstance instance(long id, Map<String, String> labels) {
        return new DefaultServiceInstance(id, "10.0.0." + id, 8080, false, labels, Metadata.empty());
    }

    /** A call that got its response after {@code latency}. */
    static void succeed(ServiceInstance selected, Duration latency) {
        selected.recordStart(true);
        reply(selected, latency);
        selected.recordEnd(null);
    }

    /** What the REST client reports when a call fails: a "reply" when it gives up, then the error. */
    static void fail(ServiceInstance selected, Throwable error) {
        selected.recordStart(true);
        reply(selected, Duration.ofMillis(1));
        selected.recordEnd(error);
    }

    /** Stork's stat-gathering instance times replies with System.nanoTime; tests pass the time instead. */
    @SuppressWarnings("deprecation") // deprecated as "for tests only", which this is
    static void reply(ServiceInstance selected, Duration latency) {
        ((ServiceInstanceWithStatGathering) selected).mockRecordingTime(latency.toNanos());
    }
}
