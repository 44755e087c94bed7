package com.example.fleet.balancing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import com.example.fleet.balancing.ladder.DatacenterShift;
import com.example.fleet.balancing.ladder.Ladder;
import com.example.fleet.balancing.ladder.LevelLoad;
import com.example.fleet.balancing.ladder.Spill;
import com.example.fleet.balancing.rules.InstanceLoad;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.api.NoServiceInstanceFoundException;
import io.smallrye.stork.api.ServiceInstance;

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
    private final LevelRouter levels;

    /**
     * @param settings the balancer's attributes
     * @param ladder the levels calls prefer: own zone, rest of the own datacenter, failover datacenters
     * @param shifts told when calls begin to leave the own datacenter, and when they all come back
     * @param service the service balanced, for those events and the meters of the ladder
     * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
     * @param wallClock only turns ejection ends into instants for {@link #estimates()}
     * @param random the random source of the current thread, {@code ThreadLocalRandom::current} outside tests
     * @param meters where ejections, panic selections and datacenter shifts are counted
     */
    PeakEwmaLoadBalancer(PeakEwmaSettings settings, Ladder ladder, Consumer<DatacenterShift> shifts, String service,
            LongSupplier nanoClock, Clock wallClock, Supplier<RandomGenerator> random, MeterRegistry meters) {
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.random = random;
        this.states = new InstanceStates(settings, ladder, nanoClock.getAsLong());
        this.ejections = new Ejections(settings, states::current, new BalancerMeters(meters));
        this.levels = new LevelRouter(new Spill(ladder, settings.levelHoldDown(), settings.outliers().panicThreshold(),
                shifts, service, meters), ejections);
    }

    @Override
    public ServiceInstance selectServiceInstance(Collection<ServiceInstance> serviceInstances) {
        if (serviceInstances.isEmpty()) {
            throw new NoServiceInstanceFoundException("No service instance found");
        }
        long now = nanoClock.getAsLong();
        Candidates candidates = states.candidatesOf(serviceInstances, now);
        RandomGenerator draws = random.get();
        Candidate chosen = choose(candidates, draws, now);
        Candidates latest = states.current();
        if (candidates != latest && !chosen.state().selectable(now)) {
            // a retry or backup left only instances that are ejected or have their probe out: one of the same
            // level that the call already tried and that nothing is held against (a first try still running, for
            // a backup) serves it better, as Envoy's previous-hosts rule gives way after some attempts; else a hung
            // instance draws a try whenever the others were slow enough for backups
            Candidates sameLevel = latest.atPosition(chosen.position());
            Candidate tried = sameLevel == null ? chosen : sameLevel.choose(draws, now, false);
            if (tried.state().selectable(now) && !tried.state().penalised()) {
                chosen = tried;
            }
        }
        return new SelectedInstance(chosen.instance(), new CallRecorder(chosen.state(), ejections, nanoClock));
    }

    /** Of {@code candidates}, the one the call goes to: in the level drawn, or among all when the levels panic. */
    private Candidate choose(Candidates candidates, RandomGenerator draws, long now) {
        Candidates level = levels.levelFor(candidates, draws, now);
        return level == null ? candidates.choose(draws, now, ejections.forcedPanic())
                : level.choose(draws, now, level == candidates && ejections.selectionPanics(candidates, now));
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
        Candidates current = states.current();
        long now = nanoClock.getAsLong();
        return current.levels() == null ? ejections.panics(current, now) : levels.panics(current, now);
    }

    /**
     * The levels of the latest candidates (own zone, rest of the own datacenter, each failover datacenter) with
     * their health and share of calls; empty while all candidates stand on one level.
     */
    public List<LevelLoad> levels() {
        return levels.loads(states.current(), nanoClock.getAsLong());
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
