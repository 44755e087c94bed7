package com.example.fleet.balancing;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

/** The tunables of a peak-EWMA balancer, read from its Stork attributes. */
record PeakEwmaSettings(Duration decayTime, Duration defaultRtt, Duration errorPenalty, Duration ejectionCoolOff,
        Duration callTimeout) {

    private static final PositiveDuration DURATIONS = new PositiveDuration();
    // Stork passes no service name to load balancers, so the error can only name the attribute
    private static final String ATTRIBUTE = "peak-ewma load-balancer attribute ";

    static PeakEwmaSettings from(PeakEwmaConfiguration config) {
        return new PeakEwmaSettings(parse("decay-time", config.getDecayTime()),
                parse("default-rtt", config.getDefaultRtt()),
                parse("error-penalty", config.getErrorPenalty()),
                parse("ejection-cool-off", config.getEjectionCoolOff()),
                parse("call-timeout", config.getCallTimeout()));
    }

    /**
     * After this long without being a candidate, an instance's estimate has long relaxed back to the neutral one
     * and its ejection has ended, so forgetting it loses nothing.
     */
    Duration forgetAfter() {
        Duration relaxed = decayTime.multipliedBy(20);
        return relaxed.compareTo(ejectionCoolOff) > 0 ? relaxed : ejectionCoolOff;
    }

    private static Duration parse(String attribute, String value) {
        return DURATIONS.convert(value, ATTRIBUTE + attribute);
    }
}
