package com.example.fleet.registration;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import com.example.fleet.support.PositiveDuration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** How this instance appears in Consul and how its registration is kept alive. */
@ConfigMapping(prefix = "fleet.registration")
public interface RegistrationSettings {

    /** Register in Consul at startup. */
    @WithDefault("true")
    boolean enabled();

    /** Consul service name shared by all instances: letters, digits and dashes (a DNS label). */
    @WithDefault("${quarkus.application.name}")
    @WithConverter(ServiceNameConverter.class)
    String serviceName();

    /**
     * Address other instances use to reach this one. Default: the HTTP host when it is a specific address, else
     * the first site-local address of this machine. On Kubernetes set it to the pod IP.
     */
    Optional<String> address();

    /** Port other instances use. Default: the port the HTTP server actually bound (also when random). */
    OptionalInt port();

    /** Published as Meta "version" and tag "version=...". */
    @WithDefault("${quarkus.application.version}")
    String version();

    /** Published as Meta "environment" and tag "env=...". application.properties sets dev and test per profile. */
    @WithDefault("prod")
    String environment();

    /** Relative share of traffic, published as Meta "weight" and tag "weight=..."; 1 to 1000. */
    @WithDefault("1")
    @WithConverter(WeightConverter.class)
    int weight();

    /** Extra tags. */
    Optional<List<String>> tags();

    /**
     * TTL of the check that heartbeats keep passing; heartbeats are sent every TTL/3. A killed instance turns
     * critical in Consul within this time. Heartbeats stay on the local agent (they change nothing in the catalog),
     * so a short TTL costs the servers nothing. At least 3 times {@code fleet.consul.request-timeout}.
     */
    @WithDefault("10s")
    @WithConverter(PositiveDuration.class)
    Duration ttl();

    /** Consul removes the instance after its checks stay critical this long; Consul's minimum is 1m. */
    @WithDefault("1m")
    @WithConverter(PositiveDuration.class)
    Duration deregisterCriticalAfter();

    /** First retry delay of registration and deregistration; doubles up to {@link #retryMaxDelay()}, with jitter. */
    @WithDefault("200ms")
    @WithConverter(PositiveDuration.class)
    Duration retryInitialDelay();

    /** Longest delay between registration retries. */
    @WithDefault("10s")
    @WithConverter(PositiveDuration.class)
    Duration retryMaxDelay();

    /** Deregistration attempts at shutdown before giving up with an ERROR naming the instance. */
    @WithDefault("5")
    int deregisterAttempts();

    /**
     * Longest time shutdown spends leaving Consul (waiting for a register request on the wire, deregistering,
     * verifying) before the ERROR, whatever the attempts left: it blocks the drain of in-flight requests, and must
     * fit the orchestrator's grace period with it. At least 2 times {@code fleet.consul.request-timeout}, one attempt.
     */
    @WithDefault("6s")
    Duration leaveTimeout();

    /** An optional second check: Consul polls the readiness endpoint. */
    HttpCheck httpCheck();

    interface HttpCheck {
        /** Add an HTTP check on the readiness endpoint. */
        @WithDefault("false")
        boolean enabled();

        /** Path of the readiness endpoint. */
        @WithDefault("/q/health/ready")
        String path();

        /** How often Consul polls it. */
        @WithDefault("10s")
        @WithConverter(PositiveDuration.class)
        Duration interval();
    }
}
