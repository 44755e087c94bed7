package com.example.fleet.consul;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.example.fleet.consul.tls.TlsSettings;
import com.example.fleet.support.PositiveDuration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * Where the Consul agent is and how to talk to it. The single place to set the agent: the standard
 * {@code CONSUL_HTTP_ADDR} and {@code CONSUL_HTTP_TOKEN} (wired in application.properties), also for
 * configuration from KV ({@code com.example.fleet.config.ConsulKvConfigSourceFactory}).
 */
@ConfigMapping(prefix = "fleet.consul")
public interface ConsulSettings {

    /**
     * Agent address, host:port with an optional http:// or https:// scheme. Default: CONSUL_HTTP_ADDR, else
     * 127.0.0.1:8500; in dev mode without CONSUL_HTTP_ADDR, a local dev agent started for you.
     */
    @WithConverter(ConsulAddressConverter.class)
    ConsulAddress address();

    /** ACL token sent as X-Consul-Token on every call. Default: CONSUL_HTTP_TOKEN. Never logged. */
    Optional<String> token();

    /**
     * File holding the ACL token; wins over {@link #token()}. Read again every second and whenever Consul answers
     * {@code ACL not found}, so a token rotated by replacing the file is used without a restart. Default:
     * CONSUL_HTTP_TOKEN_FILE.
     */
    Optional<Path> tokenFile();

    /**
     * Timeout of one request to the agent (blocking queries wait longer by design). At most a third of
     * {@code fleet.registration.ttl}, so that a heartbeat is answered or given up within its interval.
     */
    @WithDefault("3s")
    @WithConverter(PositiveDuration.class)
    Duration requestTimeout();

    /**
     * Whether configuration from Consul KV is {@code required} (startup fails with one message when the agent
     * cannot be reached), {@code optional} (a warning, then the defaults), or {@code off}.
     */
    @WithDefault("optional")
    ConfigMode configMode();

    /**
     * KV keys under {@link #configPrefix()} read at startup as configuration: {@code greeting/message} becomes
     * {@code greeting.message}. None: nothing is read.
     */
    Optional<List<String>> configKeys();

    /** Where the keys of {@link #configKeys()} live in KV. */
    @WithDefault("config/${quarkus.application.name}")
    String configPrefix();

    /** HTTPS towards the agent, with the PEM files the {@code consul tls} commands write, used as they are. */
    TlsSettings tls();

    /** HTTPS when the address says {@code https://} or {@code fleet.consul.tls.enabled} (CONSUL_HTTP_SSL) is set. */
    default boolean https() {
        return address().https() || tls().enabled();
    }

    /** The local agent that dev mode starts when no address is configured. */
    DevAgent devAgent();

    enum ConfigMode {
        REQUIRED,
        OPTIONAL,
        OFF
    }

    interface DevAgent {
        /** Start a local {@code consul agent -dev} in dev mode when CONSUL_HTTP_ADDR is not set. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The Consul binary the dev agent runs. {@code ./mvnw quarkus:dev} sets it to {@code target/consul/consul},
         * which the build's provision-consul step links to the binary it found or fetched.
         */
        Optional<String> binary();
    }
}
