package com.example.fleet.config;

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
        Duration duration = DURATIONS.convert(value);
        if (duration == null) {
            return null;
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("'" + value + "' must be a positive duration such as 10s or 500ms");
        }
        return duration;
    }
}
