package com.example.fleet.scaling;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.example.fleet.consul.WatchTiming;
import com.example.fleet.support.PositiveDuration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * Where the replica policy lives, how it is watched and acted on. The ranges Consul imposes are checked at startup
 * (the reconciler's check of the settings).
 */
@ConfigMapping(prefix = "fleet.scaling")
public interface ScalingSettings {

    /** Watch the replica policy. */
    @WithDefault("true")
    boolean enabled();

    /** Run for leader; an instance that does not only watches who leads. */
    @WithDefault("true")
    boolean leaderCandidate();

    /** The policy key is {@code <policy-prefix>/<service>/replicas}. */
    @WithDefault("config")
    String policyPrefix();

    /** Service whose policy is watched. */
    @WithDefault("${quarkus.application.name}")
    String service();

    /** Wait of each blocking query on the policy, leader and drain keys (at most 10m). */
    @WithDefault("60s")
    @WithConverter(PositiveDuration.class)
    Duration watchWait();

    /** Least time between two queries on one of those keys. */
    @WithDefault("20ms")
    @WithConverter(PositiveDuration.class)
    Duration watchMinInterval();

    /** TTL of the leader's Consul session (10s to 86400s): a dead leader's lock is freed after at most twice this. */
    @WithDefault("15s")
    Duration sessionTtl();

    /** Consul's lock-delay (0s to 60s): after a leader's session ends, nobody may take the lock for this long. */
    @WithDefault("5s")
    Duration lockDelay();

    /** The leader lock is {@code <leader-prefix>/<service>/leader}; its value is the leader's instance ID. */
    @WithDefault("service")
    String leaderPrefix();

    /**
     * How the leader changes the fleet: {@code local} child processes, {@code kubernetes}, or {@code none} (log
     * only); the actuator of that name is used (package scaling.actuation).
     */
    @WithDefault("none")
    String actuator();

    /** How often the leader compares the policy with the fleet, besides on every policy or leadership change. */
    @WithDefault("10s")
    @WithConverter(PositiveDuration.class)
    Duration reconcileInterval();

    /** How long Consul may take to show the expected instances after an action before it counts as failed. */
    @WithDefault("60s")
    @WithConverter(PositiveDuration.class)
    Duration verifyTimeout();

    /**
     * How long the leader waits for the candidates of a scale-in to answer their load ({@code GET /q/fleet/load}),
     * all read in parallel. A candidate that has not answered by then counts as idle and never requested, so it is
     * among the first removed: an instance that cannot answer a request of its own is the cheapest to lose.
     */
    @WithDefault("1s")
    @WithConverter(PositiveDuration.class)
    Duration loadReadTimeout();

    /** A victim of scale-in exits once it sees {@code <leader-prefix>/<service>/drain/<instance-id>}. */
    default String drainKey(String instanceId) {
        return leaderPrefix() + "/" + service() + "/drain/" + instanceId;
    }

    /** How the local actuator of a dev-mode leader packages the application; {@code quarkus:dev} sets them all. */
    DevModePackaging local();

    interface DevModePackaging {
        /** The Maven installation that runs {@code quarkus:dev}: it packages the application. */
        Optional<Path> mavenHome();

        /** Its local repository. */
        Optional<Path> mavenRepository();

        /** The project's directory. */
        Optional<Path> project();

        /** Where the package goes. */
        Optional<Path> devPackage();

        /**
         * Where the instances the local actuator starts write their logs. {@code quarkus:dev} sets
         * {@code target/dev-instances-logs}, emptied when dev mode starts; unset, a temporary folder that is removed
         * when the application stops.
         */
        Optional<Path> logs();
    }

    /** The kubernetes actuator's target. */
    KubernetesTarget kubernetes();

    interface KubernetesTarget {
        /** Namespace of the Deployment; default: the client's (the pod's own namespace in a cluster). */
        Optional<String> namespace();

        /** Name of the Deployment; default: the service name. */
        Optional<String> deployment();
    }

    /**
     * How the policy, leader and drain watches and the leader's verification pace themselves; errors are retried
     * within 5 s. A wait above Consul's 10m stops the first of them to start.
     */
    default WatchTiming watchTiming() {
        try {
            return new WatchTiming(watchWait(), watchMinInterval(), Duration.ofSeconds(5));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fleet.scaling.watch-wait: " + e.getMessage(), e);
        }
    }

    default String leaderKey() {
        return leaderPrefix() + "/" + service() + "/leader";
    }

    /**
     * The fleet's recent audit events, {@code <leader-prefix>/<service>/audit}: under the prefix the instances
     * already write (leader lock, drain keys), so their ACL policy covers it.
     */
    default String auditKey() {
        return leaderPrefix() + "/" + service() + "/audit";
    }

    default String policyKey() {
        return policyPrefix() + "/" + service() + "/replicas";
    }
}
