package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

    @Test
    void doublesWithJitterBetweenHalfAndAll() {
        for (int round = 0; round < 200; round++) {
            assertThat(backoff.delay(1).toMillis()).isBetween(100L, 200L);
            assertThat(backoff.delay(3).toMillis()).isBetween(400L, 800L);
        }
    }

    @Test
    void staysCappedForever() {
        assertThat(backoff.delay(1_000_000).toMillis()).isBetween(5_000L, 10_000L);
    }

    @Test
    void jitterSpreadsRetries() {
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> backoff.delay(5)).distinct().count())
                .isGreaterThan(1);
    }

    @Test
    void rejectsAMaxBelowTheInitialDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
