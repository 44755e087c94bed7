package com.example.fleet.consul;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

/** The wait of a blocking query: positive and at most Consul's maximum of 10 minutes, which it would cut silently. */
public class WaitDuration extends PositiveDuration {

    public static final Duration MAX = Duration.ofMinutes(10);

    @Override
    public Duration convert(String value) {
        Duration wait = super.convert(value);
        if (wait != null && wait.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + value + "' exceeds Consul's maximum wait of 10m");
        }
        return wait;
    }
}
