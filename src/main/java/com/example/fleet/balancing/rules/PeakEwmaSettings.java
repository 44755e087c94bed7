package com.example.fleet.balancing.rules;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/** The tunables of a peak-EWMA balancer, read from its Stork attributes. */
public record PeakEwmaSettings(Duration decayTime, Duration defaultRtt, Duration errorPenalty, Duration ejectionCoolOff,
        Duration probeInterval, Duration callTimeout, Duration levelHoldDown, OutlierDetection outliers) {

    public static PeakEwmaSettings from(PeakEwmaAttributes config) {
        return new PeakEwmaSettings(Attributes.positiveDuration("decay-time", config.getDecayTime()),
                Attributes.positiveDuration("default-rtt", config.getDefaultRtt()),
                Attributes.positiveDuration("error-penalty", config.getErrorPenalty()),
                Attributes.positiveDuration("ejection-cool-off", config.getEjectionCoolOff()),
                Attributes.positiveDuration("probe-interval", config.getProbeInterval()),
                Attributes.positiveDuration("call-timeout", config.getCallTimeout()),
                Attributes.positiveDuration("level-hold-down", config.getLevelHoldDown()),
                OutlierDetection.from(config));
    }

    /**
     * After this long without being a candidate, an instance's estimate has long relaxed back to the neutral one
     * and any ejection has ended, so forgetting it loses nothing but the count that lengthens its next ejection.
     */
    public Duration forgetAfter() {
        return Collections.max(List.of(decayTime.multipliedBy(20), ejectionCoolOff, outliers.maxEjection()));
    }
}
