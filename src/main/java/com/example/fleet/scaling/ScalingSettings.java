package com.example.fleet.scaling;

import java.time.Duration;

import com.example.fleet.config.PositiveDuration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** Where the replica policy lives and how it is watched. */
@ConfigMapping(prefix = "fleet.scaling")
public interface ScalingSettings {

    /** Watch the replica policy. */
    @WithDefault("true")
    boolean enabled();

    /** The policy key is {@code <policy-prefix>/<service>/replicas}. */
    @WithDefault("config")
    String policyPrefix();

    /** Service whose policy is watched. */
    @WithDefault("${quarkus.application.name}")
    String service();

    /** Wait of each blocking query on the key (at most 10m). */
    @WithDefault("60s")
    @WithConverter(PositiveDuration.class)
    Duration watchWait();

    /** Least time between two queries on the key. */
    @WithDefault("20ms")
    @WithConverter(PositiveDuration.class)
    Duration watchMinInterval();

    default String policyKey() {
        return policyPrefix() + "/" + service() + "/replicas";
    }
}
