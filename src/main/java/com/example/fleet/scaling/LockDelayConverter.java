package com.example.fleet.scaling;

import java.time.Duration;

import org.eclipse.microprofile.config.spi.Converter;

import io.quarkus.runtime.configuration.DurationConverter;

/** Consul accepts a session's lock-delay from 0s (none) to 60s; anything else is an error here, not a surprise there. */
public class LockDelayConverter implements Converter<Duration> {

    static final Duration MAX = Duration.ofSeconds(60);
    private static final DurationConverter DURATIONS = new DurationConverter();

    @Override
    public Duration convert(String value) {
        Duration delay;
        try {
            delay = DURATIONS.convert(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration such as 5s", e);
        }
        if (delay != null && (delay.isNegative() || delay.compareTo(MAX) > 0)) {
            throw new IllegalArgumentException("'" + value + "' is outside Consul's lock-delay range of 0s to 60s");
        }
        return delay;
    }
}
