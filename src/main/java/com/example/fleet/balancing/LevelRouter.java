package com.example.fleet.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import com.example.fleet.balancing.ladder.LevelLoad;
import com.example.fleet.balancing.ladder.Spill;

/**
 * Which level of the ladder a call goes to: the candidates' levels with their health, handed to the
 * {@link Spill}. An instance is healthy unless it is ejected or failing (see {@link InstanceState#failingAt}), so
 * a lost datacenter moves traffic at the first failed tries, not after Consul's TTL.
 */
final class LevelRouter {

    private final Spill spill;
    private final Ejections ejections;

    LevelRouter(Spill spill, Ejections ejections) {
        this.spill = spill;
        this.ejections = ejections;
    }

    /**
     * The candidates a selection chooses among: those of one level, drawn by the levels' shares; all of them when
     * they stand on one level; null when the levels panic (choose among all, ignoring ejections).
     */
    Candidates levelFor(Candidates candidates, RandomGenerator random, long now) {
        spill.observe(candidates.generation(), candidates.positions());
        Levels levels = candidates.levels();
        if (levels == null) {
            return candidates;
        }
        double[] shares = shares(levels, now);
        if (shares == null) {
            return null;
        }
        if (levels.failedSomewhere()) {
            boolean[] present = new boolean[shares.length];
            for (int i = 0; i < shares.length; i++) {
                present[i] = levels.members(i) != null;
            }
            int retry = Spill.retryLevel(shares, levels.failedLevels(), present, random);
            if (retry >= 0) {
                return levels.members(retry);
            }
        }
        int chosen = Spill.draw(shares, random);
        // a retry's subset may have no member left at the level drawn: the next level down that has one
        for (int step = 0; step < shares.length; step++) {
            Candidates level = levels.members((chosen + step) % shares.length);
            if (level != null) {
                return level;
            }
        }
        return candidates;
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
            loads.add(new LevelLoad(spill.ladder().nameOf(levels.position(i), level.first().instance()), level.size(),
                    healthy, percent(spill.heldHealth(levels.position(i))),
                    shares == null ? percent((double) level.size() / candidates.size()) : percent(shares[i])));
        }
        return loads;
    }

    /** The levels' shares of traffic, by the raw health of each: its share of members neither ejected nor failing. */
    private double[] shares(Levels levels, long now) {
        double[] raw = new double[levels.size()];
        for (int i = 0; i < raw.length; i++) {
            Candidates level = levels.health(i);
            raw[i] = 1 - (double) ejections.census(level, now).unhealthy() / level.size();
        }
        return spill.shares(levels.positions(), raw, now);
    }

    private static double percent(double share) {
        return Math.round(share * 1000) / 10.0;
    }
}
