package com.example.fleet.balancing.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LatencyEstimateTest {

    private static final double DECAY = Duration.ofSeconds(10).toNanos();
    private static final double NEUTRAL = ms(30);
    private static final long T0 = 5_000_000_000L;

    @Test
    void aSampleAboveTheEstimateReplacesItAtOnce() {
        LatencyEstimate estimate = new LatencyEstimate(ms(5), T0);

        assertThat(estimate.withSample(ms(55), T0 + ms(1), DECAY).nanos()).isEqualTo(ms(55));
    }

    @Test
    void aLowerSampleWeighsByTheTimeSinceTheLastOne() {
        LatencyEstimate estimate = new LatencyEstimate(ms(55), T0);

        // w = exp(-1s / 10s)
        double w = Math.exp(-0.1);
        assertThat(estimate.withSample(ms(5), T0 + ms(1000), DECAY).nanos())
                .isCloseTo(ms(55) * w + ms(5) * (1 - w), within(1.0));
        assertThat(estimate.withSample(ms(5), T0, DECAY).nanos()).isEqualTo(ms(55));
    }

    @Test
    void withoutSamplesTheEstimateRelaxesTowardTheNeutralOne() {
        LatencyEstimate penalised = new LatencyEstimate(ms(2000), T0);
        LatencyEstimate fast = new LatencyEstimate(ms(5), T0);

        assertThat(penalised.at(T0, DECAY, NEUTRAL)).isEqualTo(ms(2000));
        assertThat(penalised.at(T0 + ms(10_000), DECAY, NEUTRAL)).isCloseTo(ms(30) + ms(1970) / Math.E, within(1.0));
        assertThat(penalised.at(T0 + ms(300_000), DECAY, NEUTRAL)).isCloseTo(ms(30), within(1.0));
        assertThat(fast.at(T0 + ms(300_000), DECAY, NEUTRAL)).isCloseTo(ms(30), within(1.0));
    }

    @Test
    void aSampleStampedEarlierThanTheEstimateCountsAsSimultaneous() {
        LatencyEstimate estimate = new LatencyEstimate(ms(55), T0);

        assertThat(estimate.withSample(ms(5), T0 - ms(10), DECAY).nanos()).isEqualTo(ms(55));
    }

    private static long ms(long millis) {
        return millis * 1_000_000;
    }
}
