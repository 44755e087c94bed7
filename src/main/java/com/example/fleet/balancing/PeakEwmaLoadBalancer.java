package com.example.fleet.balancing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.api.NoServiceInstanceFoundException;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ServiceInstanceWithStatGathering;

/**
 * Stork load balancer {@code peak-ewma}: picks two random candidates and sends the call to the one with the lower
 * latency estimate times (calls in flight + 1), divided by its Consul weight (Finagle's and Linkerd's peak EWMA
 * with power-of-two-choices). Slow and failing instances get little traffic until they recover; instances that
 * refuse connections or fail calls again and again are left out for a while (see {@link Ejections}). The
 * instances, their states and weights are prepared once per collection that discovery hands out (see
 * {@link InstanceStates#candidatesOf}), so that a selection costs the same at 3 instances as at 1,000. Safe for
 * concurrent selections, which take no lock.
 */
public class PeakEwmaLoadBalancer implements LoadBalancer {

    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Supplier<RandomGenerator> random;
    private final InstanceStates states;
    private final Ejections ejections;

    /**
     * @param settings the balancer's attributes
     * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
     * @param wallClock only turns ejection ends into instants for {@link #estimates()}
     * @param random the random source of the current thread, {@code ThreadLocalRandom::current} outside tests
     * @param meters where ejections and panic selections are counted
     */
    PeakEwmaLoadBalancer(PeakEwmaSettings settings, LongSupplier nanoClock, Clock wallClock,
            Supplier<RandomGenerator> random, MeterRegistry meters) {
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.random = random;
        this.states = new InstanceStates(settings, nanoClock.getAsLong());
        this.ejections = new Ejections(settings, states::current, new BalancerMeters(meters));
    }

    @Override
    public ServiceInstance selectServiceInstance(Collection<ServiceInstance> serviceInstances) {
        if (serviceInstances.isEmpty()) {
            throw new NoServiceInstanceFoundException("No service instance found");
        }
        long now = nanoClock.getAsLong();
        Candidates candidates = states.candidatesOf(serviceInstances, now);
        Candidate chosen = candidates.choose(random.get(), now, ejections.selectionPanics(candidates, now));
        return new ServiceInstanceWithStatGathering(chosen.instance(),
                new CallRecorder(chosen.state(), ejections, nanoClock));
    }

    /** Makes Stork record each call's start before the next selection, so that comparisons see it in flight. */
    @Override
    public boolean requiresStrictRecording() {
        return true;
    }

    /**
     * Whether selections ignore ejections, because fewer than {@code panic-threshold} percent of the latest
     * candidates are left; for monitoring.
     */
    public boolean panicking() {
        return ejections.panics(states.current(), nanoClock.getAsLong());
    }

    /** Per instance id, the current estimate, calls in flight, failures and ejection; a snapshot for monitoring. */
    public Map<Long, InstanceLoad> estimates() {
        long now = nanoClock.getAsLong();
        Instant wallNow = wallClock.instant();
        return states.byId().entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> {
            InstanceState state = entry.getValue();
            Optional<Instant> ejectedUntil = state.ejectedUntilNanos(now)
                    .map(until -> wallNow.plus(Duration.ofNanos(until - now)));
            long oldestOpenMillis = state.oldestOpenCallNanos(now) / 1_000_000;
            double estimateMillis = state.estimateNanos(now) / 1_000_000;
            return new InstanceLoad(estimateMillis, state.inFlight(), state.consecutiveFailures(),
                    state.timesEjected(now), ejectedUntil, oldestOpenMillis, InstanceLoad.avoidedBecause(ejectedUntil,
                            state.penalised(), state.inFlight(), oldestOpenMillis, state.repliesNanos(now) / 1e6));
        }));
    }
}
