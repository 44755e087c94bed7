package com.example.fleet.support;

import java.time.Duration;

import org.eclipse.microprofile.config.spi.Converter;

import io.quarkus.runtime.configuration.DurationConverter;

/**
 * Converts a duration ("30s", "PT1M", "500ms") and rejects zero or negative values, so that a TTL
 * of "-5s" fails at startup with an error naming the property instead of misbehaving later.
 */
public class PositiveDuration implements Converter<Duration> {

    private static final DurationConverter DURATIONS = new DurationConverter();

    @Override
    public Duration convert(String value) {
        Duration duration;
        try {
            duration = DURATIONS.convert(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration such as 10s or 500ms", e);
        }
        if (duration == null) {
            return null;
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("'" + value + "' must be a positive duration such as 10s or 500ms");
        }
        return duration;
    }

    /**
     * Converts a setting that the configuration does not convert itself, such as a Stork attribute, naming
     * {@code setting} in the error as the configuration would.
     */
    public Duration convert(String value, String setting) {
        try {
            Duration duration = convert(value);
            if (duration == null) {
                throw new IllegalArgumentException("it is empty");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }
}
