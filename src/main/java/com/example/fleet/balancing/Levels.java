package com.example.fleet.balancing;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The candidates of one collection split by their level on the ladder (see {@link com.example.fleet.balancing.ladder.Ladder}), for collections that span more
 * than one; each level is a {@link Candidates} of its own, so that choosing within one costs what choosing among
 * all costs. A retry's subset keeps the health of its generation's levels: the instances its call tried are left
 * out of the choice, not out of the count that decides where traffic goes.
 */
final class Levels {

    private final int[] positions;
    private final Candidates[] members;
    private final Candidates[] health;
    /** For a retry's subset: the levels where its call just failed. */
    private final boolean[] failedAt;
    private final boolean failedSomewhere;

    private Levels(int[] positions, Candidates[] members, Candidates[] health, boolean[] failedAt) {
        this.positions = positions;
        this.members = members;
        this.health = health;
        this.failedAt = failedAt;
        boolean any = false;
        for (boolean failed : failedAt) {
            any |= failed;
        }
        this.failedSomewhere = any;
    }

    /** The levels of a generation's candidates; null when they all stand on one level. */
    static Levels of(Candidate[] all, long generation, long now) {
        int[] positions = Arrays.stream(all).mapToInt(Candidate::position).distinct().sorted().toArray();
        if (positions.length < 2) {
            return null;
        }
        Candidates[] members = group(all, positions, generation, now);
        return new Levels(positions, members, members, new boolean[positions.length]);
    }

    /**
     * The same levels for a subset of the candidates, a retry's: null at a level the subset has no member of. A
     * level where the subset leaves out an instance that is now penalised or ejected is one where the call just
     * failed (Envoy's previous-priorities retry rule): its retry goes to another level, so that a call's tries
     * reach the next datacenter before they run out, however many instances the lost one had.
     */
    Levels subset(Candidate[] picked, long generation, long now) {
        Set<Candidate> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(Arrays.asList(picked));
        boolean[] failed = new boolean[positions.length];
        for (int i = 0; i < positions.length; i++) {
            for (Candidate candidate : health[i].all()) {
                InstanceState state = candidate.state();
                if (!kept.contains(candidate) && (state.penalised() || state.isEjected(now))) {
                    failed[i] = true;
                    break;
                }
            }
        }
        return new Levels(positions, group(picked, positions, generation, now), health, failed);
    }

    /** Whether the call this subset is for just failed at some level: only a retry's subset can say so. */
    boolean failedSomewhere() {
        return failedSomewhere;
    }

    /** By level, whether the call this subset is for just failed there; not to be changed. */
    boolean[] failedLevels() {
        return failedAt;
    }

    private static Candidates[] group(Candidate[] candidates, int[] positions, long generation, long now) {
        Candidates[] grouped = new Candidates[positions.length];
        for (int i = 0; i < positions.length; i++) {
            int position = positions[i];
            Candidate[] level = Arrays.stream(candidates).filter(c -> c.position() == position)
                    .toArray(Candidate[]::new);
            grouped[i] = level.length == 0 ? null : new Candidates(null, level, generation, now, null);
        }
        return grouped;
    }

    int size() {
        return positions.length;
    }

    /** The positions of the levels on the ladder, ascending; not to be changed. */
    int[] positions() {
        return positions;
    }

    int position(int level) {
        return positions[level];
    }

    /** This collection's members at a level; null if it has none there. */
    Candidates members(int level) {
        return members[level];
    }

    /** This collection's members at ladder position {@code position}; null if it has none there. */
    Candidates membersAt(int position) {
        int level = Arrays.binarySearch(positions, position);
        return level < 0 ? null : members[level];
    }

    /** The generation's members at a level, whose census gives its health. */
    Candidates health(int level) {
        return health[level];
    }
}
