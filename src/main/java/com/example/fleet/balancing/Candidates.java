package com.example.fleet.balancing;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import io.smallrye.stork.api.ServiceInstance;

/**
 * The candidates prepared from one collection of instances, in an array, so that choosing among them costs the
 * same whatever their number. Each preparation is a new generation; immutable but for the time of last use.
 */
final class Candidates {

    /** An index that stands for no candidate: none excluded, or none found. */
    private static final int NONE = -1;
    /**
     * Random draws before a walk: while most candidates are selectable, picks stay uniform among them. Walking
     * from the first draw alone would favour the candidate after each ejected one.
     */
    private static final int RANDOM_DRAWS = 4;
    /** Candidates a last resort compares: all of them up to this many. */
    private static final int LAST_RESORT_DRAWS = 8;

    private final Collection<ServiceInstance> source;
    private final Candidate[] all;
    private final long generation;
    private final AtomicLong lastUsedNanos;
    /** Null while every candidate stands on one level of the ladder. */
    private final Levels levels;
    private final int[] positions;
    private volatile EjectionCensus census;
    /** The candidates by instance id, built at the first {@link #subset} selection; racing builds are alike. */
    private volatile Map<Long, Candidate> byId;

    /**
     * Candidates of generation {@code generation}, prepared at {@code now} from {@code source}, in its order.
     *
     * @param levels their levels, when they span more than one
     */
    Candidates(Collection<ServiceInstance> source, Candidate[] all, long generation, long now, Levels levels) {
        this.source = source;
        this.all = all;
        this.generation = generation;
        this.lastUsedNanos = new AtomicLong(now);
        this.levels = levels;
        this.positions = levels != null ? levels.positions()
                : all.length == 0 ? new int[0] : new int[] { all[0].position() };
    }

    /** A generation's candidates, split by level when they stand on more than one. */
    static Candidates prepared(Collection<ServiceInstance> source, Candidate[] all, long generation, long now) {
        return new Candidates(source, all, generation, now, Levels.of(all, generation, now));
    }

    /** What a balancer holds before its first selection: prepared from no collection. */
    static Candidates none(long now) {
        return new Candidates(null, new Candidate[0], 0, now, null);
    }

    /**
     * Whether these candidates stand for {@code instances}: the same collection object of the same size. The size
     * catches a collection grown in place (Stork's static list grows that way); other changes in place go
     * unnoticed until the identity or the size changes, which no discovery relies on.
     */
    boolean preparedFrom(Collection<ServiceInstance> instances) {
        return instances == source && instances.size() == all.length;
    }

    long generation() {
        return generation;
    }

    /**
     * Candidates for a selection among {@code instances} when they are fewer and each is one of these: a retry,
     * which leaves out the instances its call tried. They are not a new generation: an instance a retry leaves out
     * is no instance discovery dropped, so its failures and ejection stay. Empty when an instance is not one of
     * these. O(instances), once the candidates are indexed by id (at the first such selection).
     */
    Optional<Candidates> subset(Collection<ServiceInstance> instances, long now) {
        if (instances.size() >= all.length) {
            // as many or more: discovery's next snapshot, which may bring new Meta (weights) too
            return Optional.empty();
        }
        Map<Long, Candidate> index = byId;
        if (index == null) {
            Map<Long, Candidate> built = new HashMap<>();
            for (Candidate candidate : all) {
                built.put(candidate.instance().getId(), candidate);
            }
            index = built;
            byId = index;
        }
        Candidate[] picked = new Candidate[instances.size()];
        int i = 0;
        for (ServiceInstance instance : instances) {
            Candidate candidate = index.get(instance.getId());
            if (candidate == null) {
                return Optional.empty();
            }
            picked[i++] = candidate;
        }
        return Optional.of(new Candidates(instances, picked, generation, now,
                levels == null ? null : levels.subset(picked, generation, now)));
    }

    int size() {
        return all.length;
    }

    /** The candidates themselves; not to be changed. */
    Candidate[] all() {
        return all;
    }

    /** The first candidate: a level always has one. */
    Candidate first() {
        return all[0];
    }

    /** The levels they stand on, ascending; not to be changed. */
    int[] positions() {
        return positions;
    }

    /** The candidates at level {@code position} of the ladder: all of them on one level; null if none is there. */
    Candidates atPosition(int position) {
        if (levels != null) {
            return levels.membersAt(position);
        }
        return all.length > 0 && all[0].position() == position ? this : null;
    }

    /** Their levels on the ladder; null while they all stand on one. */
    Levels levels() {
        return levels;
    }

    /**
     * How many of these candidates are ejected, or failing (see {@link InstanceState#failingAt}), at {@code now},
     * given the ejection version: counted again only when an ejection started, a run of failures reached or left
     * the failing length, or one counted ended since (see {@link EjectionCensus}). Racing threads may both count;
     * either result is right, and a count taken before a newer ejection carries an older version.
     */
    EjectionCensus census(long now, long ejectionVersion, long failingNanos) {
        EjectionCensus counted = census;
        if (counted == null || !counted.holdsAt(now, ejectionVersion)) {
            counted = EjectionCensus.take(all, now, ejectionVersion, failingNanos);
            census = counted;
        }
        return counted;
    }

    /** Called by every selection: a release store, which costs no fence; readers want a recent value, no more. */
    void usedAt(long now) {
        lastUsedNanos.setRelease(now);
    }

    /** For the states listed here and not in generation {@code newer}: they were candidates until the last use. */
    void leftOutOf(long newer) {
        long lastUsed = lastUsedNanos.get();
        for (Candidate candidate : all) {
            candidate.state().leftOutOf(newer, lastUsed);
        }
    }

    /**
     * Where the next call goes: of two distinct random candidates that are selectable (not ejected, and not a
     * penalised one whose probe is still out), the one with the lower load; the only selectable one if there is
     * one; of two random ones among all when {@code panic} (see {@link OutlierDetection#panics}); the
     * {@link #lastResort} when none is selectable. Two random candidates rather than the best of all: no herd on one
     * instance between replies.
     */
    Candidate choose(RandomGenerator random, long now, boolean panic) {
        if (all.length == 1) {
            return all[0];
        }
        if (panic) {
            int first = randomIndex(random, NONE);
            return lowerLoad(all[first], all[randomIndex(random, first)], now);
        }
        int first = selectableIndex(random, NONE, now);
        if (first == NONE) {
            return lastResort(random, now);
        }
        int second = selectableIndex(random, first, now);
        return second == NONE ? all[first] : lowerLoad(all[first], all[second], now);
    }

    /**
     * With none selectable: the best {@link InstanceState#lastResortRank}, the lower load among equals, of all
     * candidates up to {@value #LAST_RESORT_DRAWS}, else of that many random ones. So an instance avoided for one slow
     * answer serves before one that failed or hung again and again, which would otherwise draw a call whenever the
     * healthy ones were all briefly avoided.
     */
    private Candidate lastResort(RandomGenerator random, long now) {
        boolean scan = all.length <= LAST_RESORT_DRAWS;
        Candidate best = null;
        for (int i = 0; i < Math.min(all.length, LAST_RESORT_DRAWS); i++) {
            Candidate candidate = scan ? all[i] : all[random.nextInt(all.length)];
            if (best == null) {
                best = candidate;
                continue;
            }
            int rank = Integer.compare(candidate.state().lastResortRank(now), best.state().lastResortRank(now));
            if (rank < 0 || rank == 0 && candidate.load(now) < best.load(now)) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * A random index other than {@code excluded} whose candidate is selectable, or {@link #NONE}. Expected O(1)
     * while a bounded share is ejected; when the draws all hit ejected candidates, a walk from the last one still
     * finds any that is left, so a sole selectable candidate is always found (in O(n)).
     */
    private int selectableIndex(RandomGenerator random, int excluded, long now) {
        int index = NONE;
        for (int draw = 0; draw < RANDOM_DRAWS; draw++) {
            index = randomIndex(random, excluded);
            if (all[index].state().selectable(now)) {
                return index;
            }
        }
        for (int step = 1; step < all.length; step++) {
            index = index + 1 == all.length ? 0 : index + 1;
            if (index != excluded && all[index].state().selectable(now)) {
                return index;
            }
        }
        return NONE;
    }

    /** Uniform over all indexes but {@code excluded}. */
    private int randomIndex(RandomGenerator random, int excluded) {
        if (excluded == NONE) {
            return random.nextInt(all.length);
        }
        int index = random.nextInt(all.length - 1);
        return index < excluded ? index : index + 1;
    }

    private static Candidate lowerLoad(Candidate a, Candidate b, long now) {
        return a.load(now) <= b.load(now) ? a : b;
    }
}
