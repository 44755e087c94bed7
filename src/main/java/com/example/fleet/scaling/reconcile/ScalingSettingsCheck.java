package com.example.fleet.scaling.reconcile;

import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.actuation.ActuatorName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranges Consul imposes on the scaling settings, and the actuator names; checked when the application starts,
 * so that a value outside them stops the start with every problem named instead of misbehaving later.
 */
final class ScalingSettingsCheck {

    private static final Duration SHORTEST_SESSION_TTL = Duration.ofSeconds(10);
    private static final Duration LONGEST_SESSION_TTL = Duration.ofDays(1);
    private static final Duration LONGEST_LOCK_DELAY = Duration.ofSeconds(60);

    private ScalingSettingsCheck() {
    }

    /**
     * @param actuatorBuilt whether the application holds the actuator the settings name: the kubernetes one only
     *        when built with its switch
     * @throws IllegalArgumentException naming each setting out of range and its value
     */
    static void requireValid(ScalingSettings settings, boolean actuatorBuilt) {
        List<String> problems = new ArrayList<>();
        if (!ActuatorName.ACCEPTED.contains(settings.actuator())) {
            problems.add(ActuatorName.PROPERTY + ": '" + settings.actuator() + "' is not an actuator: use one of "
                    + String.join(", ", ActuatorName.ACCEPTED));
        } else if (!actuatorBuilt) {
            problems.add(ActuatorName.PROPERTY + ": '" + settings.actuator() + "' is not in this build of the"
                    + " application: build it with ./mvnw package -D" + ActuatorName.BUILD_SWITCH + "=true");
        }
        Duration ttl = settings.sessionTtl();
        if (ttl.compareTo(SHORTEST_SESSION_TTL) < 0 || ttl.compareTo(LONGEST_SESSION_TTL) > 0) {
            problems.add("fleet.scaling.session-ttl: " + ttl + " is outside Consul's session TTL range of 10s to 86400s");
        }
        Duration lockDelay = settings.lockDelay();
        if (lockDelay.isNegative() || lockDelay.compareTo(LONGEST_LOCK_DELAY) > 0) {
            problems.add("fleet.scaling.lock-delay: " + lockDelay + " is outside Consul's lock-delay range of 0s to 60s");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid scaling settings: " + String.join("; ", problems));
        }
    }
}
