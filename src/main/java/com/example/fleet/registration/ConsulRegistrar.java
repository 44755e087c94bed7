package com.example.fleet.registration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.example.fleet.consul.Backoff;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.ConsulSettings;
import com.example.fleet.support.Failures;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.Service;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Keeps this instance registered in Consul for exactly as long as it serves: registers once the HTTP server
 * listens (verified by reading the entry back, retried with backoff until it holds), passes the TTL check with
 * load notes, registers again when the agent forgot it, and leaves Consul, verified, before in-flight requests
 * are drained.
 * <p>
 * Registration and heartbeats run on Vert.x timers and never block; leaving runs on the shutdown thread, which
 * may block.
 */
@ApplicationScoped
public class ConsulRegistrar {

    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class);
    /** How long the HTTP server may take to know the port it bound, after it said it listens. */
    private static final Duration PORT_PATIENCE = Duration.ofSeconds(10);

    /** Where the registration stands; readiness is UP only in {@link #REGISTERED}. */
    public enum Phase {
        STARTING,
        REGISTERING,
        REGISTERED,
        DRAINING,
        DEREGISTERED,
        DISABLED
    }

    /** A consistent view for health checks. */
    public record Status(Phase phase, Optional<String> instanceId, Optional<String> problem, Instant lastLoopActivity) {
    }

    private final ConsulClient consul;
    private final ListeningPort listeningPort;
    private final Event<InstanceRegistered> registered;
    private final Vertx vertx;
    private final RegistrationSettings settings;
    private final ConsulSettings consulSettings;
    private final LoadTracker load;
    private final String httpHost;
    private final Backoff backoff;
    private final String writePermission;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean leaving = new AtomicBoolean();
    private final AtomicLong timer = new AtomicLong(-1);
    /** Moves only forward once leaving began: callbacks still in flight use compareAndSet and lose to leave(). */
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private volatile InstanceSpec instance;
    private volatile String problem;
    private volatile String lastLoggedProblem;
    private volatile Instant lastLoopActivity = Instant.now();
    /**
     * False only while no register request can have reached the agent, so leaving has nothing to undo; once true
     * it stays true, whatever a read-back says.
     */
    private volatile boolean mayBeRegistered;
    private volatile CompletableFuture<Void> registrationInFlight = CompletableFuture.completedFuture(null);

    private final Counter heartbeatFailures;
    private final Counter reregistrations;
    private final Counter registrationFailures;
    private final Counter deregistrationFailures;

    @Inject
    ConsulRegistrar(ConsulClient consul, HttpServer httpServer, Vertx vertx, RegistrationSettings settings, ConsulSettings consulSettings,
            LoadTracker load, MeterRegistry meters, Event<InstanceRegistered> registered,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String httpHost) {
        if (settings.deregisterAttempts() < 1) {
            throw new IllegalArgumentException("fleet.registration.deregister-attempts must be at least 1, got "
                    + settings.deregisterAttempts());
        }
        this.consul = consul;
        this.listeningPort = new ListeningPort(httpServer::getPort, new VertxTimers(vertx.getDelegate()), PORT_PATIENCE,
                LaunchMode.current() == LaunchMode.DEVELOPMENT);
        this.registered = registered;
        this.vertx = vertx;
        this.settings = settings;
        this.consulSettings = consulSettings;
        this.load = load;
        this.httpHost = httpHost;
        if (settings.retryMaxDelay().compareTo(settings.retryInitialDelay()) < 0) {
            throw new IllegalArgumentException("fleet.registration.retry-max-delay (" + settings.retryMaxDelay()
                    + ") must not be below fleet.registration.retry-initial-delay (" + settings.retryInitialDelay() + ")");
        }
        this.backoff = new Backoff(settings.retryInitialDelay(), settings.retryMaxDelay());
        this.writePermission = "service:write on \"" + settings.serviceName() + "\"";
        Gauge.builder("fleet.registration.registered", this, r -> r.phase.get() == Phase.REGISTERED ? 1 : 0)
                .description("1 while this instance is registered in Consul, else 0").register(meters);
        heartbeatFailures = Counter.builder("fleet.registration.heartbeat.failures")
                .description("TTL heartbeats Consul did not accept").register(meters);
        reregistrations = Counter.builder("fleet.registration.reregistrations")
                .description("registrations repeated because the agent had lost this instance").register(meters);
        registrationFailures = Counter.builder("fleet.registration.attempt.failures")
                .description("registration attempts that failed or did not verify").register(meters);
        deregistrationFailures = Counter.builder("fleet.registration.deregistration.failures")
                .description("shutdowns that could not verify the instance left Consul: alert on this").register(meters);
    }

    /** Registers at once when the server already listens: after a dev-mode live reload, no HttpServerStart comes. */
    void onStart(@Observes StartupEvent event) {
        listeningPort.atStartup().ifPresent(this::startOnce);
    }

    /** Registers once the server listens, with the port it bound, never with one it does not know yet. */
    void onHttpServerStart(@ObservesAsync HttpServerStart event) {
        listeningPort.afterStart(event.options().getPort()).subscribe().with(this::startOnce, failure -> {
            problem = "not registered in Consul: " + failure.getMessage();
            LOG.error(problem);
        });
    }

    private void startOnce(int listeningPort) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        if (!settings.enabled()) {
            phase.set(Phase.DISABLED);
            LOG.info("Consul registration is disabled (fleet.registration.enabled=false)");
            return;
        }
        instance = InstanceSpec.of(settings, InstanceAddress.advertised(settings.address(), httpHost), listeningPort);
        phase.set(Phase.REGISTERING);
        LOG.infof("Registering %s (%s:%d) in Consul at %s", instance.id(), instance.address(), instance.port(),
                consulSettings.address());
        attemptRegistration(1);
    }

    /** Shutdown starts: leave Consul before Quarkus waits the shutdown delay and drains in-flight requests. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        leave();
    }

    /** Without a shutdown delay there is no earlier hook: leave now (in-flight requests are already drained). */
    void onShutdown(@Observes ShutdownEvent event) {
        leave();
    }

    public Status status() {
        InstanceSpec current = instance;
        return new Status(phase.get(), Optional.ofNullable(current).map(InstanceSpec::id), Optional.ofNullable(problem),
                lastLoopActivity);
    }

    /** How long the loop may stay quiet before liveness says it died: well past one heartbeat or one retry. */
    public Duration livenessWindow() {
        Duration slowest = settings.ttl().dividedBy(3).compareTo(settings.retryMaxDelay()) > 0
                ? settings.ttl().dividedBy(3)
                : settings.retryMaxDelay();
        return slowest.plus(consulSettings.requestTimeout()).multipliedBy(3);
    }

    private void attemptRegistration(int attempt) {
        // published before the check, so that leave() either sees this attempt or this attempt sees leave()
        CompletableFuture<Void> done = new CompletableFuture<>();
        registrationInFlight = done;
        if (leaving.get()) {
            done.complete(null);
            return;
        }
        lastLoopActivity = Instant.now();
        InstanceSpec spec = instance;
        consul.registerService(spec.toServiceOptions())
                // decided by the register request alone: a read-back that fails says nothing about what the agent holds
                .onItemOrFailure().invoke((ok, failure) -> {
                    if (failure == null || mayHaveReachedTheAgent(failure)) {
                        mayBeRegistered = true;
                    }
                })
                .chain(() -> verifyRegistered(spec))
                .subscribe().with(
                        ok -> {
                            done.complete(null);
                            onRegistered(attempt);
                        },
                        failure -> {
                            done.complete(null);
                            registrationFailures.increment();
                            report(ConsulErrors.describe(failure, "register " + spec.id(), writePermission),
                                    ConsulErrors.isAccessDenied(failure));
                            schedule(backoff.delay(attempt), () -> attemptRegistration(attempt + 1));
                        });
    }

    /** Only a request that could not connect, or that the agent refused (403), certainly registered nothing. */
    private static boolean mayHaveReachedTheAgent(Throwable registerFailure) {
        return !Failures.couldNotConnect(registerFailure) && !ConsulErrors.isAccessDenied(registerFailure);
    }

    /** Reads the entry back from the agent: it must list this ID with this address, port and TTL check. */
    private Uni<Void> verifyRegistered(InstanceSpec spec) {
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

    private void onRegistered(int attempt) {
        if (!phase.compareAndSet(Phase.REGISTERING, Phase.REGISTERED)) {
            return;
        }
        clearProblem();
        LOG.infof("Registered %s in Consul (attempt %d); heartbeat every %s", instance.id(), attempt,
                instance.heartbeatInterval());
        schedule(instance.heartbeatInterval(), () -> heartbeat(1));
        registered.fireAsync(new InstanceRegistered(instance.id(), instance.serviceName()));
    }

    private void heartbeat(int attempt) {
        if (leaving.get()) {
            return;
        }
        lastLoopActivity = Instant.now();
        InstanceSpec spec = instance;
        consul.passCheckWithNote(spec.ttlCheckId(), load.current().toJson()).subscribe().with(
                ok -> {
                    clearProblem();
                    schedule(spec.heartbeatInterval(), () -> heartbeat(1));
                },
                failure -> {
                    heartbeatFailures.increment();
                    if (ConsulErrors.isUnknownCheck(failure) && phase.compareAndSet(Phase.REGISTERED, Phase.REGISTERING)) {
                        LOG.warnf("Consul no longer knows %s (agent restarted without state, or the entry was removed):"
                                + " registering again", spec.id());
                        reregistrations.increment();
                        attemptRegistration(1);
                        return;
                    }
                    report(ConsulErrors.describe(failure, "pass the TTL check of " + spec.id(), writePermission),
                            ConsulErrors.isAccessDenied(failure));
                    // retry sooner than the next heartbeat, so one lost request does not cost a third of the TTL
                    Duration retry = backoff.delay(attempt);
                    schedule(retry.compareTo(spec.heartbeatInterval()) < 0 ? retry : spec.heartbeatInterval(),
                            () -> heartbeat(attempt + 1));
                });
    }

    /**
     * Leaves Consul once: readiness goes DOWN, loops stop, then deregistration is retried until a read-back shows
     * the entry gone, or fails with one ERROR naming the instance left behind.
     */
    private void leave() {
        if (!leaving.compareAndSet(false, true)) {
            return;
        }
        Phase before = phase.getAndSet(Phase.DRAINING);
        long pending = timer.getAndSet(-1);
        if (pending >= 0) {
            vertx.cancelTimer(pending);
        }
        if (before == Phase.DISABLED || instance == null) {
            phase.set(before == Phase.DISABLED ? Phase.DISABLED : Phase.DEREGISTERED);
            return;
        }
        awaitRegistrationInFlight();
        if (!mayBeRegistered) {
            phase.set(Phase.DEREGISTERED);
            LOG.infof("%s never reached Consul: nothing to deregister", instance.id());
            return;
        }
        String lastFailure = null;
        Duration bound = consulSettings.requestTimeout().plusSeconds(1);
        for (int attempt = 1; attempt <= settings.deregisterAttempts(); attempt++) {
            try {
                consul.deregisterService(instance.id()).await().atMost(bound);
            } catch (RuntimeException e) {
                // with ACLs an ID the agent no longer holds answers "Unknown service": the read-back decides
                lastFailure = ConsulErrors.describe(e, "deregister " + instance.id(), writePermission);
            }
            try {
                if (isGone(bound)) {
                    phase.set(Phase.DEREGISTERED);
                    LOG.infof("Deregistered %s from Consul", instance.id());
                    return;
                }
                lastFailure = lastFailure != null ? lastFailure : "the agent still lists it after deregistration";
            } catch (RuntimeException e) {
                lastFailure = ConsulErrors.describe(e, "read back " + instance.id(), "service:read");
            }
            if (attempt < settings.deregisterAttempts()) {
                pause(backoff.delay(attempt));
            }
        }
        deregistrationFailures.increment();
        LOG.errorf("Could not deregister Consul service instance '%s' (service '%s') after %d attempts: %s. It may be"
                + " left behind until its TTL check turns critical and Consul removes it %s later; to remove it now:"
                + " PUT /v1/agent/service/deregister/%s on its agent", instance.id(), instance.serviceName(),
                settings.deregisterAttempts(), lastFailure, instance.deregisterCriticalAfter(), instance.id());
    }

    private boolean isGone(Duration bound) {
        return consul.localServices().await().atMost(bound).stream()
                .noneMatch(s -> s.getId().equals(instance.id()));
    }

    /** A registration request may be on the wire: deregistering before it lands would leave it behind. */
    private void awaitRegistrationInFlight() {
        try {
            registrationInFlight.get(consulSettings.requestTimeout().multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debugf("Registration still in flight at shutdown: %s", e.toString());
        }
    }

    private void schedule(Duration delay, Runnable action) {
        if (leaving.get()) {
            return;
        }
        timer.set(vertx.setTimer(Math.max(1, delay.toMillis()), id -> action.run()));
        // leave() may have run between the check and setTimer: make sure its cancel is not lost
        if (leaving.get()) {
            vertx.cancelTimer(timer.get());
        }
    }

    private void report(String description, boolean severe) {
        problem = description;
        // one line per new problem, not one per retry
        if (!description.equals(lastLoggedProblem)) {
            lastLoggedProblem = description;
            if (severe) {
                LOG.error(description);
            } else {
                LOG.warn(description + "; retrying");
            }
        }
    }

    private void clearProblem() {
        if (problem != null) {
            LOG.infof("Consul answers again for %s", instance.id());
        }
        problem = null;
        lastLoggedProblem = null;
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
