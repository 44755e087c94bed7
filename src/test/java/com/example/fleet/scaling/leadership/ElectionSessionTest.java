package com.example.fleet.scaling.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ElectionSessionTest {

    @Test
    void aFollowerKeepsItsSessionAliveEveryHalfTtl() {
        assertThat(ElectionSession.renewInterval(Duration.ofSeconds(15), Duration.ofSeconds(5), false))
                .isEqualTo(Duration.ofMillis(7500));
    }

    @Test
    void aLeaderRenewsTwicePerLockDelaySoItLearnsOfALostSessionBeforeAnyoneMayTakeTheLock() {
        assertThat(ElectionSession.renewInterval(Duration.ofSeconds(15), Duration.ofSeconds(5), true))
                .isEqualTo(Duration.ofMillis(2500));
        // a lock-delay longer than the TTL: the TTL sets the pace
        assertThat(ElectionSession.renewInterval(Duration.ofSeconds(10), Duration.ofSeconds(60), true))
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLeaderRenewsAtMostTwiceASecondEvenWithoutLockDelay() {
        assertThat(ElectionSession.renewInterval(Duration.ofSeconds(10), Duration.ZERO, true))
                .isEqualTo(Duration.ofMillis(500));
    }
}
