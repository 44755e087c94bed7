package com.example.fleet.registration;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.ConsulSettings;

import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Takes the instance out of Consul at shutdown, verified: deregister, then read the agent's services back until the
 * entry is gone, {@code fleet.registration.deregister-attempts} times with back-off. When that fails, one ERROR
 * names the instance that may be left behind and how to remove it, and the failure metric counts it. Runs on the
 * shutdown thread, which it blocks for a bounded time.
 */
final class Deregistration {

    private static final Logger LOG = Logger.getLogger(Deregistration.class);

    private final ConsulClient consul;
    private final ScheduledExecutorService timers;
    private final RegistrationSettings settings;
    private final Duration requestTimeout;
    private final RegistrationMetrics metrics;
    private final String tokenSource;

    Deregistration(ConsulClient consul, ScheduledExecutorService timers, RegistrationSettings settings,
            ConsulSettings consulSettings, RegistrationMetrics metrics, String tokenSource) {
        this.consul = consul;
        this.timers = timers;
        this.settings = settings;
        this.requestTimeout = consulSettings.requestTimeout();
        this.metrics = metrics;
        this.tokenSource = tokenSource;
    }

    /**
     * True once the agent no longer lists the instance; false, after the ERROR, when that could not be verified
     * within the attempts or within {@code timeLeft} of {@code fleet.registration.leave-timeout}.
     */
    boolean leave(InstanceSpec spec, Duration timeLeft) {
        int attempts = settings.deregisterAttempts();
        Duration everyAttempt = bound(attempts);
        Duration bound = everyAttempt.compareTo(timeLeft) < 0 ? everyAttempt : timeLeft;
        try {
            Uni.createFrom().deferred(() -> attempt(spec))
                    .onFailure().retry().withBackOff(settings.retryInitialDelay(), settings.retryMaxDelay())
                    .withJitter(0.5).withExecutor(timers)
                    // counts the retries that follow the first attempt
                    .atMost(attempts - 1L)
                    .await().atMost(bound);
            LOG.infof("Deregistered %s from Consul", spec.id());
            return true;
        } catch (NotVerified e) {
            reportLeftBehind(spec, afterAttempts(e.getMessage()));
        } catch (TimeoutException e) {
            reportLeftBehind(spec, "no verified answer within " + bound
                    + (bound.equals(timeLeft) ? ", what was left of fleet.registration.leave-timeout ("
                            + settings.leaveTimeout() + ")" : ""));
        } catch (RuntimeException e) {
            reportLeftBehind(spec, afterAttempts(ConsulErrors.describe(e, "deregister " + spec.id(),
                    spec.writePermission(), tokenSource)));
        }
        return false;
    }

    /** Each attempt takes at most two requests, then waits at most the longest delay before the next. */
    private Duration bound(int attempts) {
        return requestTimeout.multipliedBy(2L * attempts).plus(settings.retryMaxDelay().multipliedBy(attempts - 1L))
                .plusSeconds(1);
    }

    private Uni<Void> attempt(InstanceSpec spec) {
        return consul.deregisterService(spec.id())
                .map(done -> Optional.<String>empty())
                // with ACLs an ID the agent no longer holds answers "Unknown service": the read-back decides
                .onFailure().recoverWithItem(failure -> Optional.of(
                        ConsulErrors.describe(failure, "deregister " + spec.id(), spec.writePermission(),
                                tokenSource)))
                .chain(deregisterFailure -> consul.localServices()
                        .onFailure().transform(failure -> new NotVerified(
                                ConsulErrors.describe(failure, "read back " + spec.id(), "service:read", tokenSource)))
                        .invoke(services -> {
                            if (services.stream().anyMatch(s -> s.getId().equals(spec.id()))) {
                                throw new NotVerified(
                                        deregisterFailure.orElse("the agent still lists it after deregistration"));
                            }
                        })
                        .replaceWithVoid());
    }

    private String afterAttempts(String reason) {
        return "after " + settings.deregisterAttempts() + " attempts: " + reason;
    }

    private void reportLeftBehind(InstanceSpec spec, String reason) {
        metrics.deregistrationFailed();
        LOG.errorf("Could not deregister Consul service instance '%s' (service '%s') %s. It may be left behind until"
                + " its TTL check turns critical and Consul removes it %s later; to remove it now:"
                + " PUT /v1/agent/service/deregister/%s on its agent", spec.id(), spec.serviceName(), reason,
                spec.deregisterCriticalAfter(), spec.id());
    }

    /** An attempt after which the agent may still list the instance; the message says why. */
    private static final class NotVerified extends RuntimeException {
        NotVerified(String reason) {
            super(reason, null, false, false);
        }
    }
}
