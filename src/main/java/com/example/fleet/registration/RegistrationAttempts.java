package com.example.fleet.registration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.support.Failures;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.Service;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Registers the instance and reads it back until the agent lists it, retried with capped, jittered back-off on
 * Vert.x timers; each failure is reported (readiness shows it) and counted. It also knows whether a register
 * request may have reached the agent, which decides whether leaving has anything to undo. Once stopped it starts
 * no attempt again: stopping wins every race with an attempt in flight.
 */
final class RegistrationAttempts {

    private static final Logger LOG = Logger.getLogger(RegistrationAttempts.class);

    private final ConsulClient consul;
    private final ScheduledExecutorService timers;
    private final RegistrationSettings settings;
    private final RegistrationMetrics metrics;
    private final LoopStatus status;
    private final String tokenSource;

    private volatile boolean stopped;
    private volatile Cancellable running = () -> { };
    /** The last register request; completes once the agent answered it or it failed. */
    private volatile CompletableFuture<Void> lastRequest = CompletableFuture.completedFuture(null);
    /** False only while no register request can have reached the agent; once true it stays true. */
    private volatile boolean mayHaveReachedAgent;

    RegistrationAttempts(ConsulClient consul, ScheduledExecutorService timers, RegistrationSettings settings,
            RegistrationMetrics metrics, LoopStatus status, String tokenSource) {
        this.consul = consul;
        this.timers = timers;
        this.settings = settings;
        this.metrics = metrics;
        this.status = status;
        this.tokenSource = tokenSource;
    }

    /** Registers {@code spec} until the read-back holds, then tells {@code onVerified} how many attempts it took. */
    void start(InstanceSpec spec, IntConsumer onVerified) {
        AtomicInteger attempts = new AtomicInteger();
        Cancellable run = Uni.createFrom().deferred(() -> {
                    attempts.incrementAndGet();
                    return attempt(spec);
                })
                .onFailure().invoke(failure -> {
                    metrics.attemptFailed();
                    status.report(ConsulErrors.describe(failure, "register " + spec.id(), spec.writePermission(),
                            tokenSource),
                            ConsulErrors.isAccessDenied(failure));
                })
                .onFailure().retry().withBackOff(settings.retryInitialDelay(), settings.retryMaxDelay()).withJitter(0.5)
                .withExecutor(timers).indefinitely()
                .subscribe().with(verified -> onVerified.accept(attempts.get()));
        running = run;
        // stop() may have run between subscribing and publishing the run: make sure its cancel is not lost
        if (stopped) {
            run.cancel();
        }
    }

    /**
     * Starts no attempt any more, and waits until the last register request settled: deregistering before it
     * lands would leave it behind. Blocks, for at most {@code bound}.
     */
    void stop(Duration bound) {
        stopped = true;
        running.cancel();
        try {
            lastRequest.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // settled with a failure, which decided mayHaveReachedAgent
        } catch (TimeoutException e) {
            LOG.debugf("A register request was still unanswered after %s at shutdown", bound);
            // it may still land
            mayHaveReachedAgent = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            mayHaveReachedAgent = true;
        }
    }

    /** Whether leaving must deregister: some register request may have reached the agent. */
    boolean mayHaveReachedAgent() {
        return mayHaveReachedAgent;
    }

    private Uni<Void> attempt(InstanceSpec spec) {
        CompletableFuture<Void> request = new CompletableFuture<>();
        // published before the check, so that stop() either sees this request or this attempt sees stop()
        lastRequest = request;
        if (stopped) {
            request.complete(null);
            return Uni.createFrom().nothing();
        }
        status.active();
        // subscribed on its own, so that its outcome is known even when stopping cancels the attempt around it;
        // the register request alone decides whether the agent may hold the entry, whatever the read-back says
        consul.registerService(spec.toServiceOptions()).subscribe().with(
                answered -> {
                    mayHaveReachedAgent = true;
                    request.complete(null);
                },
                failure -> {
                    if (mayHaveReachedTheAgent(failure)) {
                        mayHaveReachedAgent = true;
                    }
                    request.completeExceptionally(failure);
                });
        // a copy: cancelling the attempt cancels the stage it waits on, which must not end the wait of stop()
        return Uni.createFrom().completionStage(request.copy()).chain(() -> readBack(spec));
    }

    /** Only a request that could not connect, or that the agent refused (403), certainly registered nothing. */
    private static boolean mayHaveReachedTheAgent(Throwable registerFailure) {
        return !Failures.couldNotConnect(registerFailure) && !ConsulErrors.isAccessDenied(registerFailure);
    }

    /** The agent must list this ID with this address and port, and its TTL check. */
    private Uni<Void> readBack(InstanceSpec spec) {
        return Uni.combine().all().unis(consul.localServices(), consul.localChecks()).asTuple().map(found -> {
            List<Service> services = found.getItem1();
            List<Check> checks = found.getItem2();
            boolean listed = services.stream().anyMatch(s -> s.getId().equals(spec.id())
                    && spec.address().equals(s.getAddress()) && s.getPort() == spec.port());
            boolean checked = checks.stream().anyMatch(c -> c.getId().equals(spec.ttlCheckId()));
            if (!listed || !checked) {
                throw new IllegalStateException("the agent does not list " + spec.id() + (listed ? "'s TTL check" : "")
                        + " after registering it");
            }
            return null;
        });
    }
}
