package com.example.fleet.registration;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

/** Consul ignores DeregisterCriticalServiceAfter below one minute, so a smaller value is an error, not a surprise. */
public class DeregisterAfterConverter extends PositiveDuration {

    @Override
    public Duration convert(String value) {
        Duration duration = super.convert(value);
        if (duration != null && duration.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("'" + value + "' is below Consul's minimum of 1m");
        }
        return duration;
    }
}
