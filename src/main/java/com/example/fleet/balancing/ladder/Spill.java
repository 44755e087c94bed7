package com.example.fleet.balancing.ladder;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How traffic spills down a {@link Ladder}, after Envoy's priority levels: a level keeps all the traffic while its
 * healthy share times an overprovisioning factor of {@value #OVERPROVISIONING} reaches 1 (about 72 % healthy),
 * and spills the rest to the next level, and so on down the ladder. A level's health counts its falls at once and
 * its rises only as far as they held for the hold-down (see {@link HeldHealth}). When the levels together are less
 * healthy than the panic threshold, there are no shares: the caller chooses among all. Follows the share the own
 * datacenter gets, tells when it drops below all and when it is all again, and meters both; a service without a
 * failover datacenter registers no such meters. Safe for concurrent selections.
 */
public final class Spill {

    public static final double OVERPROVISIONING = 1.4;
    /** Shares closer to 1 than this are 1: sums of doubles. */
    private static final double ALL = 1 - 1e-9;

    private final Ladder ladder;
    private final long holdDownNanos;
    private final int panicThreshold;
    private final Consumer<DatacenterShift> shifts;
    private final String service;
    private final MeterRegistry meters;
    private final Map<Integer, HeldHealth> held = new ConcurrentHashMap<>();
    private final AtomicBoolean away = new AtomicBoolean();
    /** Registered when a failover datacenter first shows up. */
    private volatile Counter departures;
    private volatile long seenGeneration = -1;
    private volatile double localShare = 1;

    /**
     * @param shifts told when the share of calls to the own datacenter falls below all, and when it is all again
     * @param service the service called, for those events and the meters
     */
    public Spill(Ladder ladder, Duration holdDown, int panicThreshold, Consumer<DatacenterShift> shifts,
            String service, MeterRegistry meters) {
        this.ladder = ladder;
        this.holdDownNanos = holdDown.toNanos();
        this.panicThreshold = panicThreshold;
        this.shifts = shifts;
        this.service = service;
        this.meters = meters;
    }

    public Ladder ladder() {
        return ladder;
    }

    /**
     * Notes the levels of a new generation of candidates: a level it lacks is empty, and has to prove itself for
     * the hold-down when instances come back to it. Cheap when the generation was seen already.
     */
    public void observe(long generation, int[] positions) {
        if (generation == seenGeneration) {
            return;
        }
        synchronized (held) {
            if (generation == seenGeneration) {
                return;
            }
            held.forEach((position, health) -> {
                if (Arrays.stream(positions).noneMatch(p -> p == position)) {
                    health.emptied();
                }
            });
            if (departures == null && Arrays.stream(positions).anyMatch(position -> !ladder.local(position))) {
                registerMeters();
            }
            if (positions.length == 1) {
                // one level, so no selection among levels: all calls go to it
                followLocalShare(ladder.local(positions[0]) ? 1 : 0);
            }
            seenGeneration = generation;
        }
    }

    /**
     * The share of traffic of each level, summing to 1; null when the levels panic. Each level's health is its
     * healthy share ({@code rawHealth}, by level at {@code positions}), as held; a level takes what its health times
     * the overprovisioning factor allows of what the levels above left, and when all of them together cannot take
     * everything, each gets its part of it.
     */
    public double[] shares(int[] positions, double[] rawHealth, long now) {
        double[] shares = new double[positions.length];
        double left = 1;
        for (int i = 0; i < shares.length; i++) {
            double health = held.computeIfAbsent(positions[i], position -> new HeldHealth())
                    .at(rawHealth[i], now, holdDownNanos);
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
            if (ladder.local(positions[i])) {
                local += shares[i];
            }
        }
        followLocalShare(local);
        return shares;
    }

    /** A level drawn at random by the shares, which sum to 1. */
    public static int draw(double[] shares, RandomGenerator random) {
        double draw = random.nextDouble();
        int chosen = 0;
        while (chosen < shares.length - 1 && draw >= shares[chosen]) {
            draw -= shares[chosen];
            chosen++;
        }
        return chosen;
    }

    /**
     * For a retry after a failed try (Envoy's previous priorities): a level other than those where the call failed,
     * drawn by their shares, else the first one down the ladder with a member left; -1 when the call failed at no
     * level or every level left is one where it failed.
     *
     * @param failed the levels where the call failed
     * @param present the levels where the retry has members left
     */
    public static int retryLevel(double[] shares, boolean[] failed, boolean[] present, RandomGenerator random) {
        boolean failedSomewhere = false;
        double[] others = new double[shares.length];
        double sum = 0;
        int firstOther = -1;
        for (int i = 0; i < shares.length; i++) {
            if (failed[i]) {
                failedSomewhere = true;
            } else if (present[i]) {
                others[i] = shares[i];
                sum += shares[i];
                firstOther = firstOther < 0 ? i : firstOther;
            }
        }
        if (!failedSomewhere || firstOther < 0) {
            return -1;
        }
        if (sum <= 0) {
            return firstOther;
        }
        for (int i = 0; i < others.length; i++) {
            others[i] /= sum;
        }
        return draw(others, random);
    }

    /** The health routing went by last at {@code position}; 1 for a level not seen yet. */
    public double heldHealth(int position) {
        HeldHealth health = held.get(position);
        return health == null ? 1 : health.held();
    }

    /** The share of calls the own datacenter gets, from the latest selection among levels. */
    public double localShare() {
        return localShare;
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
        Gauge.builder("fleet.balancer.local.traffic", this, Spill::localShare).tag("service", service)
                .description("share of calls a peak-ewma balancer sends to its own datacenter").register(meters);
        departures = Counter.builder("fleet.balancer.datacenter.departures").tag("service", service)
                .description("times calls began to leave the own datacenter for a failover one").register(meters);
    }
}
