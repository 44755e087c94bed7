package com.example.fleet.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LeaderElectionTest {

    @Test
    void aFollowerKeepsItsSessionAliveEveryHalfTtl() {
        assertThat(LeaderElection.renewInterval(Duration.ofSeconds(15), Duration.ofSeconds(5), false))
                .isEqualTo(Duration.ofMillis(7500));
    }

    @Test
    void aLeaderRenewsTwicePerLockDelaySoItLearnsOfALostSessionBeforeAnyoneMayTakeTheLock() {
        assertThat(LeaderElection.renewInterval(Duration.ofSeconds(15), Duration.ofSeconds(5), true))
                .isEqualTo(Duration.ofMillis(2500));
        // a lock-delay longer than the TTL: the TTL sets the pace
        assertThat(LeaderElection.renewInterval(Duration.ofSeconds(10), Duration.ofSeconds(60), true))
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLeaderRenewsAtMostTwiceASecondEvenWithoutLockDelay() {
        assertThat(LeaderElection.renewInterval(Duration.ofSeconds(10), Duration.ZERO, true))
                .isEqualTo(Duration.ofMillis(500));
    }
}
