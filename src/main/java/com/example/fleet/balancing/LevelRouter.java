package com.example.fleet.balancing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Which level of the {@link Ladder} a call goes to, after Envoy's priority levels: a level keeps all the traffic
 * while its healthy share times an overprovisioning factor of {@value #OVERPROVISIONING} reaches 1 (about 72 %
 * healthy), and spills the rest to the next level, and so on down the ladder. An instance is healthy unless it is
 * ejected or failing (see {@link InstanceState#failingAt}), so a lost datacenter moves traffic at the first
 * failed tries, not after Consul's TTL. A level's health counts its falls at once and its rises only after
 * {@code level-hold-down} (see {@link HeldHealth}). When the levels together are less healthy than the panic
 * threshold, selections choose among all candidates ignoring ejections, as with one level.
 */
final class LevelRouter {

    static final double OVERPROVISIONING = 1.4;
    /** Shares closer to 1 than this are 1: sums of doubles. */
    private static final double ALL = 1 - 1e-9;

    private final Ladder ladder;
    private final Ejections ejections;
    private final long holdDownNanos;
    private final int panicThreshold;
    private final Consumer<DatacenterShift> shifts;
    private final String service;
    private final MeterRegistry meters;
    /** Registered when a failover datacenter first shows up: a service without one has no such meters. */
    private volatile Counter departures;
    private final Map<Integer, HeldHealth> held = new ConcurrentHashMap<>();
    private final AtomicBoolean away = new AtomicBoolean();
    private volatile long seenGeneration = -1;
    private volatile double localShare = 1;

    /**
     * @param shifts told when the share of calls to the own datacenter falls below all, and when it is all again
     * @param service the service the balancer is for, for those events and the meters
     */
    LevelRouter(Ladder ladder, Ejections ejections, PeakEwmaSettings settings, Consumer<DatacenterShift> shifts,
            String service, MeterRegistry meters) {
        this.ladder = ladder;
        this.ejections = ejections;
        this.holdDownNanos = settings.levelHoldDown().toNanos();
        this.panicThreshold = settings.outliers().panicThreshold();
        this.shifts = shifts;
        this.service = service;
        this.meters = meters;
    }

    /**
     * The candidates a selection chooses among: those of one level, drawn by the levels' shares; all of them when
     * they stand on one level; null when the levels panic (choose among all, ignoring ejections).
     */
    Candidates levelFor(Candidates candidates, RandomGenerator random, long now) {
        observe(candidates);
        Levels levels = candidates.levels();
        if (levels == null) {
            return candidates;
        }
        double[] shares = shares(levels, now);
        if (shares == null) {
            return null;
        }
        Candidates retryLevel = retryLevel(levels, shares, random);
        if (retryLevel != null) {
            return retryLevel;
        }
        int chosen = draw(shares, random);
        // a retry's subset may have no member left at the level drawn: the next level down that has one
        for (int step = 0; step < shares.length; step++) {
            Candidates level = levels.members((chosen + step) % shares.length);
            if (level != null) {
                return level;
            }
        }
        return candidates;
    }

    /**
     * For a retry after a failed try: a level other than those where the call failed, by their shares, else the
     * first one down the ladder that has a member left; null when the call failed at no level or every level
     * left is one where it failed.
     */
    private static Candidates retryLevel(Levels levels, double[] shares, RandomGenerator random) {
        boolean failedSomewhere = false;
        double[] others = new double[shares.length];
        double sum = 0;
        int firstOther = -1;
        for (int i = 0; i < shares.length; i++) {
            if (levels.failedAt(i)) {
                failedSomewhere = true;
            } else if (levels.members(i) != null) {
                others[i] = shares[i];
                sum += shares[i];
                firstOther = firstOther < 0 ? i : firstOther;
            }
        }
        if (!failedSomewhere || firstOther < 0) {
            return null;
        }
        if (sum <= 0) {
            return levels.members(firstOther);
        }
        for (int i = 0; i < others.length; i++) {
            others[i] /= sum;
        }
        return levels.members(draw(others, random));
    }

    /** A level drawn at random by the shares, which sum to 1. */
    private static int draw(double[] shares, RandomGenerator random) {
        double draw = random.nextDouble();
        int chosen = 0;
        while (chosen < shares.length - 1 && draw >= shares[chosen]) {
            draw -= shares[chosen];
            chosen++;
        }
        return chosen;
    }

    /** Whether selections among the levels of {@code candidates} panic now. */
    boolean panics(Candidates candidates, long now) {
        return shares(candidates.levels(), now) == null;
    }

    /** The levels of {@code candidates}, their health and share of traffic now; empty while there is one level. */
    List<LevelLoad> loads(Candidates candidates, long now) {
        Levels levels = candidates.levels();
        if (levels == null) {
            return List.of();
        }
        double[] shares = shares(levels, now);
        List<LevelLoad> loads = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Candidates level = levels.health(i);
            int healthy = level.size() - ejections.census(level, now).unhealthy();
            HeldHealth health = held.get(levels.position(i));
            loads.add(new LevelLoad(ladder.nameOf(levels.position(i), level.first().instance()), level.size(),
                    healthy, percent(health == null ? 1 : health.held()),
                    shares == null ? percent((double) level.size() / candidates.size()) : percent(shares[i])));
        }
        return loads;
    }

    /**
     * The share of traffic of each level, summing to 1; null when the levels panic. Each level's health is its share
     * of healthy members, as held; a level takes what its health times the overprovisioning factor allows of what
     * the levels above left, and when all of them together cannot take everything, each gets its part of it.
     */
    private double[] shares(Levels levels, long now) {
        double[] shares = new double[levels.size()];
        double left = 1;
        for (int i = 0; i < shares.length; i++) {
            Candidates level = levels.health(i);
            double raw = 1 - (double) ejections.census(level, now).unhealthy() / level.size();
            double health = held.computeIfAbsent(levels.position(i), position -> new HeldHealth())
                    .at(raw, now, holdDownNanos);
            shares[i] = Math.min(left, Math.min(1, OVERPROVISIONING * health));
            left -= shares[i];
        }
        double total = 1 - left;
        if (total <= 0 || total * 100 < panicThreshold) {
            return null;
        }
        double local = 0;
        for (int i = 0; i < shares.length; i++) {
            shares[i] /= total;
            if (ladder.local(levels.position(i))) {
                local += shares[i];
            }
        }
        followLocalShare(local);
        return shares;
    }

    /**
     * Notes a new generation of candidates: a level it lacks is empty, and has to prove itself for the hold-down
     * when instances come back to it.
     */
    private void observe(Candidates candidates) {
        if (candidates.generation() == seenGeneration) {
            return;
        }
        synchronized (held) {
            if (candidates.generation() == seenGeneration) {
                return;
            }
            int[] present = candidates.positions();
            held.forEach((position, health) -> {
                if (Arrays.stream(present).noneMatch(p -> p == position)) {
                    health.emptied();
                }
            });
            if (departures == null && Arrays.stream(present).anyMatch(position -> !ladder.local(position))) {
                registerMeters();
            }
            if (present.length == 1) {
                // one level, so no selection among levels: all calls go to it
                followLocalShare(ladder.local(present[0]) ? 1 : 0);
            }
            seenGeneration = candidates.generation();
        }
    }

    private void followLocalShare(double share) {
        if (localShare != share) {
            localShare = share;
        }
        boolean nowAway = share < ALL;
        if (away.get() != nowAway && away.compareAndSet(!nowAway, nowAway)) {
            if (nowAway && departures != null) {
                departures.increment();
            }
            shifts.accept(new DatacenterShift(service, nowAway, (int) Math.round(share * 100)));
        }
    }

    private void registerMeters() {
        Gauge.builder("fleet.balancer.local.traffic", this, LevelRouter::localShare).tag("service", service)
                .description("share of calls a peak-ewma balancer sends to its own datacenter").register(meters);
        departures = Counter.builder("fleet.balancer.datacenter.departures").tag("service", service)
                .description("times calls began to leave the own datacenter for a failover one").register(meters);
    }

    /** The share of calls the own datacenter gets, from the latest selection among levels. */
    double localShare() {
        return localShare;
    }

    private static double percent(double share) {
        return Math.round(share * 1000) / 10.0;
    }
}
