package com.example.fleet.registration;

import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The registration's meters; {@code fleet_registration_deregistration_failures_total} is the one to alert on. */
final class RegistrationMetrics {

    private final MeterRegistry meters;
    private final Gauge registered;
    private final Counter heartbeatFailures;
    private final Counter reregistrations;
    private final Counter attemptFailures;
    private final Counter deregistrationFailures;

    RegistrationMetrics(MeterRegistry meters, BooleanSupplier registered) {
        this.meters = meters;
        // held strongly: nothing else references the supplier, and a weakly held one would read NaN once collected
        this.registered = Gauge.builder("fleet.registration.registered", registered, r -> r.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while this instance is registered in Consul, else 0").register(meters);
        heartbeatFailures = Counter.builder("fleet.registration.heartbeat.failures")
                .description("TTL heartbeats Consul did not accept").register(meters);
        reregistrations = Counter.builder("fleet.registration.reregistrations")
                .description("registrations repeated because the agent had lost this instance").register(meters);
        attemptFailures = Counter.builder("fleet.registration.attempt.failures")
                .description("registration attempts that failed or did not verify").register(meters);
        deregistrationFailures = Counter.builder("fleet.registration.deregistration.failures")
                .description("shutdowns that could not verify the instance left Consul: alert on this").register(meters);
    }

    /**
     * Takes the gauge out of the registry, which outlives the application in dev mode's live reload (and in tests
     * that start several): a gauge left behind would keep reading this registrar, and the next one's would be
     * ignored as a duplicate.
     */
    void close() {
        meters.remove(registered);
    }

    void heartbeatFailed() {
        heartbeatFailures.increment();
    }

    void reregistered() {
        reregistrations.increment();
    }

    void attemptFailed() {
        attemptFailures.increment();
    }

    void deregistrationFailed() {
        deregistrationFailures.increment();
    }
}
