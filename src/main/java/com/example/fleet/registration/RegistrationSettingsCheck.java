package com.example.fleet.registration;

import java.time.Duration;

import com.example.fleet.consul.ConsulSettings;

/**
 * Rules a converter cannot check: ranges Consul imposes, and rules between settings. Checked when the application
 * starts; a broken one stops the start.
 */
final class RegistrationSettingsCheck {

    private static final Duration SHORTEST_DEREGISTER_AFTER = Duration.ofMinutes(1);

    private RegistrationSettingsCheck() {
    }

    /** @throws IllegalArgumentException naming the settings and their values */
    static void requireConsistent(RegistrationSettings settings, ConsulSettings consul) {
        if (settings.deregisterCriticalAfter().compareTo(SHORTEST_DEREGISTER_AFTER) < 0) {
            // Consul would silently use its minimum instead
            throw new IllegalArgumentException("fleet.registration.deregister-critical-after ("
                    + settings.deregisterCriticalAfter() + ") is below Consul's minimum of 1m");
        }
        if (settings.deregisterAttempts() < 1) {
            throw new IllegalArgumentException("fleet.registration.deregister-attempts must be at least 1, got "
                    + settings.deregisterAttempts());
        }
        Duration oneAttempt = consul.requestTimeout().multipliedBy(2);
        if (settings.leaveTimeout().compareTo(oneAttempt) < 0) {
            throw new IllegalArgumentException("fleet.registration.leave-timeout (" + settings.leaveTimeout()
                    + ") must be at least 2 times fleet.consul.request-timeout (" + consul.requestTimeout() + "), i.e. "
                    + oneAttempt + ": one deregistration and its read-back");
        }
        if (settings.retryMaxDelay().compareTo(settings.retryInitialDelay()) < 0) {
            throw new IllegalArgumentException("fleet.registration.retry-max-delay (" + settings.retryMaxDelay()
                    + ") must not be below fleet.registration.retry-initial-delay (" + settings.retryInitialDelay() + ")");
        }
        Duration shortestTtl = consul.requestTimeout().multipliedBy(3);
        if (settings.ttl().compareTo(shortestTtl) < 0) {
            throw new IllegalArgumentException("fleet.registration.ttl (" + settings.ttl() + ") must be at least 3 times"
                    + " fleet.consul.request-timeout (" + consul.requestTimeout() + "), i.e. " + shortestTtl
                    + ": a heartbeat goes every TTL/3, and each must be answered or time out within that interval");
        }
        settings.port().ifPresent(port -> {
            if (port < 1 || port > InstanceSpec.MAX_PORT) {
                throw new IllegalArgumentException("fleet.registration.port must be 1-" + InstanceSpec.MAX_PORT + ", got "
                        + port);
            }
        });
    }
}
