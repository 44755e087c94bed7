package com.example.fleet.registration;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

import com.example.fleet.consul.ConsulErrors;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Keeps the TTL check passing: every heartbeat interval (TTL/3) a pass without a note. The check's output never
 * changes, so a pass stays on the local agent: it moves no index of the catalog and wakes no watcher of the
 * service, whatever the agent's {@code check_update_interval}; only a change of status does (the load the scaling
 * leader needs is read from the instance instead, see {@code load.LoadEndpoint}). A pass that fails is retried
 * with back-off capped at the interval, so one lost request does not cost a third of the TTL.
 * When the agent no longer knows the check it has lost the registration: the loop ends and says so at once, to
 * register again. Runs on Vert.x timers; once stopped it does not start again.
 */
final class Heartbeat {

    private final ConsulClient consul;
    private final ScheduledExecutorService timers;
    private final RegistrationSettings settings;
    private final RegistrationMetrics metrics;
    private final LoopStatus status;
    private final String tokenSource;

    private volatile boolean stopped;
    private volatile Cancellable running = () -> { };

    Heartbeat(ConsulClient consul, ScheduledExecutorService timers, RegistrationSettings settings,
            RegistrationMetrics metrics, LoopStatus status, String tokenSource) {
        this.consul = consul;
        this.timers = timers;
        this.settings = settings;
        this.metrics = metrics;
        this.status = status;
        this.tokenSource = tokenSource;
    }

    /** Passes the check of {@code spec} every interval until stopped, or until the agent forgot it. */
    void start(InstanceSpec spec, Runnable onAgentForgot) {
        Cancellable run = Uni.createFrom().voidItem()
                .onItem().delayIt().onExecutor(timers).by(spec.heartbeatInterval())
                .chain(() -> beat(spec))
                .repeat().indefinitely()
                // a beat retries every other failure, so only an unknown check ends the loop
                .subscribe().with(passed -> { }, unknownCheck -> onAgentForgot.run());
        running = run;
        // stop() may have run between subscribing and publishing the run: make sure its cancel is not lost
        if (stopped) {
            run.cancel();
        }
    }

    void stop() {
        stopped = true;
        running.cancel();
    }

    /** One pass, retried within the interval; built per beat, so that each beat's back-off starts short. */
    private Uni<Void> beat(InstanceSpec spec) {
        return Uni.createFrom().deferred(() -> {
                    status.active();
                    return consul.passCheck(spec.ttlCheckId());
                })
                .invoke(() -> status.resolved(spec.id()))
                .onFailure().invoke(failure -> {
                    metrics.heartbeatFailed();
                    if (!ConsulErrors.isUnknownCheck(failure)) {
                        status.report(ConsulErrors.describe(failure, "pass the TTL check of " + spec.id(),
                                spec.writePermission(), tokenSource), ConsulErrors.isAccessDenied(failure));
                    }
                })
                .onFailure(failure -> !ConsulErrors.isUnknownCheck(failure)).retry()
                .withBackOff(settings.retryInitialDelay(), longestRetryDelay(spec)).withJitter(0.5)
                .withExecutor(timers).indefinitely();
    }

    /** The configured longest delay, but never more than an interval (nor less than the first delay). */
    private Duration longestRetryDelay(InstanceSpec spec) {
        Duration capped = settings.retryMaxDelay().compareTo(spec.heartbeatInterval()) < 0 ? settings.retryMaxDelay()
                : spec.heartbeatInterval();
        return capped.compareTo(settings.retryInitialDelay()) < 0 ? settings.retryInitialDelay() : capped;
    }
}
