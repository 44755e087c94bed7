package com.example.fleet.scaling;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

/** Consul accepts session TTLs from 10s to 86400s; anything else is an error here, not a surprise there. */
public class SessionTtlConverter extends PositiveDuration {

    @Override
    public Duration convert(String value) {
        Duration ttl = super.convert(value);
        if (ttl != null && (ttl.compareTo(Duration.ofSeconds(10)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0)) {
            throw new IllegalArgumentException("'" + value + "' is outside Consul's session TTL range of 10s to 86400s");
        }
        return ttl;
    }
}
