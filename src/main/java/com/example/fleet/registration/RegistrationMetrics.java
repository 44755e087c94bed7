package com.example.fleet.registration;

import java.util.Optional;
import java.util.function.BooleanSupplier;

import com.example.fleet.consul.tls.TlsMaterialWatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The registration's meters; {@code fleet_registration_deregistration_failures_total} is the one to alert on. */
final class RegistrationMetrics {

    private final MeterRegistry meters;
    private final Gauge registered;
    private final Optional<Gauge> certificateExpiry;
    private final Counter heartbeatFailures;
    private final Counter reregistrations;
    private final Counter attemptFailures;
    private final Counter deregistrationFailures;

    /**
     * @param tlsFiles whose client certificate's expiry is read at each scrape; no gauge when the application
     *        presents none
     */
    RegistrationMetrics(MeterRegistry meters, BooleanSupplier registered, TlsMaterialWatch tlsFiles) {
        this.meters = meters;
        // held strongly: nothing else references the supplier, and a weakly held one would read NaN once collected
        this.registered = Gauge.builder("fleet.registration.registered", registered, r -> r.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while this instance is registered in Consul, else 0").register(meters);
        // the certificate that heartbeats present: once the agent refuses it, the instance leaves every pool
        this.certificateExpiry = tlsFiles.clientCertificateExpiry().isEmpty() ? Optional.empty()
                : Optional.of(Gauge.builder("fleet.consul.client.certificate.expiry", tlsFiles,
                        RegistrationMetrics::epochSeconds).strongReference(true).baseUnit("seconds")
                        .description("when the client certificate presented to the Consul agent expires, in seconds"
                                + " since the epoch; alert a week ahead").register(meters));
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
        certificateExpiry.ifPresent(meters::remove);
    }

    private static double epochSeconds(TlsMaterialWatch files) {
        return files.clientCertificateExpiry().map(at -> (double) at.getEpochSecond()).orElse(Double.NaN);
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
