package com.example.fleet.registration;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.tls.TlsMaterialWatch;
import com.example.fleet.registration.ConsulRegistrar.Phase;
import com.example.fleet.registration.ConsulRegistrar.Status;

/** Health of the registration: readiness follows Consul, liveness follows the loop that keeps it alive. */
public final class RegistrationHealth {

    private RegistrationHealth() {
    }

    /**
     * UP only while registered, not draining, and not out of Consul (its agent unanswered for longer than the TTL:
     * the check is critical, or the agent is gone with it); says why otherwise.
     */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        @Inject
        ConsulRegistrar registrar;

        @Inject
        ConsulClients clients;

        @Override
        public HealthCheckResponse call() {
            Status status = registrar.status();
            boolean up = (status.phase() == Phase.REGISTERED && !status.outOfConsul()) || status.phase() == Phase.DISABLED;
            HealthCheckResponseBuilder response = describe("consul-registration", status).status(up);
            status.problem().ifPresent(problem -> response.withData("reason", problem));
            if (!up && status.problem().isEmpty()) {
                response.withData("reason", switch (status.phase()) {
                    case DRAINING, DEREGISTERED -> "shutting down: left Consul, finishing in-flight requests";
                    default -> "not registered in Consul yet";
                });
            }
            // the agent decides whether an expired certificate still passes: failing requests show in the reason
            TlsMaterialWatch tlsFiles = clients.tlsFiles();
            tlsFiles.clientCertificateExpiry()
                    .ifPresent(expiry -> response.withData("consulClientCertificateExpires", expiry.toString()));
            tlsFiles.refused().ifPresent(reason -> response.withData("consulTlsFilesRefused", reason));
            return response.build();
        }
    }

    /** DOWN when the registration/heartbeat loop stopped running while it should. */
    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {

        @Inject
        ConsulRegistrar registrar;

        @Override
        public HealthCheckResponse call() {
            Status status = registrar.status();
            Duration quiet = Duration.between(status.lastLoopActivity(), Instant.now());
            boolean looping = status.phase() == Phase.REGISTERING || status.phase() == Phase.REGISTERED;
            boolean up = !looping || quiet.compareTo(registrar.livenessWindow()) <= 0;
            return describe("consul-heartbeat", status).status(up)
                    .withData("lastActivity", status.lastLoopActivity().toString())
                    .build();
        }
    }

    private static HealthCheckResponseBuilder describe(String name, Status status) {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(name).withData("phase", status.phase().name());
        status.instanceId().ifPresent(id -> builder.withData("instanceId", id));
        builder.withData("consul", status.problem().isPresent() ? "failing" : "ok");
        return builder;
    }
}
