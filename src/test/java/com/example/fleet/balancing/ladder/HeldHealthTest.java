package com.example.fleet.balancing.ladder;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A level's health for routing: falls at once, rises as far as it held for the whole hold-down. */
class HeldHealthTest {

    private static final long HOLD_DOWN = Duration.ofSeconds(10).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final HeldHealth health = new HeldHealth();

    /** Feeds {@code raw} ten times a second from {@code from} to {@code to} seconds; returns the last health held. */
    private double feed(double raw, int from, int to) {
        double held = Double.NaN;
        for (long now = from * SECOND; now < to * SECOND; now += SECOND / 10) {
            held = health.at(raw, now, HOLD_DOWN);
        }
        return held;
    }

    @Test
    void aFallCountsAtOnce() {
        assertThat(health.at(0.5, 0, HOLD_DOWN)).isEqualTo(0.5);
    }

    @Test
    void aRiseCountsOnceItHeldForTheHoldDown() {
        health.emptied();
        assertThat(feed(1, 0, 10)).isZero();
        assertThat(health.at(1, 10 * SECOND, HOLD_DOWN)).isEqualTo(1);
    }

    @Test
    void aLevelThatComesBackStepByStepReturnsOneHoldDownAfterItsLastStepNotOnePerStep() {
        health.emptied();
        // one instance fails its first tries while it warms up: half the level is healthy for 3 s
        feed(0.5, 0, 3);
        assertThat(feed(1, 3, 10)).isZero();
        assertThat(feed(1, 10, 12)).as("half held for the whole hold-down").isEqualTo(0.5);
        assertThat(health.at(1, 13 * SECOND, HOLD_DOWN)).as("all held for a hold-down since").isEqualTo(1);
    }

    @Test
    void aFlappingLevelDoesNotPullTrafficBack() {
        health.emptied();
        for (int second = 0; second < 30; second += 2) {
            feed(1, second, second + 1);
            assertThat(feed(0, second + 1, second + 2)).isZero();
        }
    }
}
