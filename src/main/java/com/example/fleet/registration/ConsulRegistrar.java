package com.example.fleet.registration;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulSettings;
import com.example.fleet.support.FleetZone;
import com.example.fleet.support.VertxTimers;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Keeps this instance registered in Consul for exactly as long as it serves: registers once the HTTP server
 * listens, with the port it bound ({@link ListeningPort}), until the agent lists it ({@link RegistrationAttempts});
 * keeps the TTL check passing ({@link Heartbeat}) and registers again when the agent forgot it; and leaves Consul,
 * verified ({@link Deregistration}), before in-flight requests are drained. This class holds where that stands.
 * <p>
 * Registration and heartbeats run on Vert.x timers and never block; leaving runs on the shutdown thread, which
 * may block.
 */
@ApplicationScoped
public class ConsulRegistrar {

    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class);
    /** How long the HTTP server may take to know the port it bound, after it said it listens. */

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
    /**
     * @param outOfConsul registered, but Consul has not been reached for longer than the TTL: the check is critical
     *        there (or the agent is gone with it), so no client of Consul sends this instance traffic
     */
    public record Status(Phase phase, Optional<String> instanceId, Optional<String> problem, Instant lastLoopActivity,
            boolean outOfConsul) {
    }

    private final RegistrationSettings settings;
    private final ConsulSettings consulSettings;
    private final String httpHost;
    private final Optional<String> zone;
    private final Event<InstanceRegistered> registered;
    private final LoopStatus loop = new LoopStatus();
    private final ServerPorts ports;
    private final RegistrationAttempts attempts;
    private final Heartbeat heartbeat;
    private final Deregistration deregistration;
    private final RegistrationMetrics metrics;

    private final AtomicBoolean leaving = new AtomicBoolean();
    /** Moves only forward once leaving began: callbacks still in flight use compareAndSet and lose to leave(). */
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    /** Set once, before the phase leaves STARTING. */
    private final AtomicReference<InstanceSpec> instance = new AtomicReference<>();
    private volatile Cancellable portWait = () -> { };

    @Inject
    ConsulRegistrar(ConsulClient consul, ConsulClients clients, HttpServer httpServer, Vertx vertx,
            RegistrationSettings settings, ConsulSettings consulSettings, MeterRegistry meters,
            Event<InstanceRegistered> registered,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String httpHost,
            @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false") boolean management,
            @ConfigProperty(name = "quarkus.management.port", defaultValue = "9000") int managementPortSetting,
            @ConfigProperty(name = "quarkus.management.test-port", defaultValue = "9001") int managementTestPort,
            @ConfigProperty(name = FleetZone.PROPERTY) Optional<String> zone) {
        RegistrationSettingsCheck.requireConsistent(settings, consulSettings);
        this.zone = FleetZone.parse(zone);
        this.settings = settings;
        this.consulSettings = consulSettings;
        this.httpHost = httpHost;
        this.registered = registered;
        VertxTimers timers = new VertxTimers(vertx.getDelegate());
        this.metrics = new RegistrationMetrics(meters, () -> phase.get() == Phase.REGISTERED, clients.tlsFiles());
        this.ports = new ServerPorts(httpServer, timers, LaunchMode.current(), management,
                LaunchMode.current() == LaunchMode.TEST ? managementTestPort : managementPortSetting);
        this.attempts = new RegistrationAttempts(consul, timers, settings, metrics, loop, clients.tokenSource());
        this.heartbeat = new Heartbeat(consul, timers, settings, metrics, loop, clients.tokenSource());
        this.deregistration = new Deregistration(consul, timers, settings, consulSettings, metrics,
                clients.tokenSource());
        clients.onTokenChange(this::registerWithNewToken);
    }

    /** Registers at once when the server already listens: after a dev-mode live reload, no HttpServerStart comes. */
    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            phase.set(Phase.DISABLED);
            LOG.info("Consul registration is disabled (fleet.registration.enabled=false)");
            return;
        }
        ports.atStartup().ifPresent(this::register);
    }

    /**
     * Registers once the server listens, with the port it bound, never with one it does not know yet (and the
     * management interface's, when enabled).
     */
    void onHttpServerStart(@ObservesAsync HttpServerStart event) {
        if (settings.enabled()) {
            portWait = ports.afterStart(event.options().getPort()).subscribe().with(this::register,
                    failure -> loop.report("Not registering in Consul: " + failure.getMessage(), true));
        }
    }

    /** Shutdown starts: leave Consul before Quarkus waits the shutdown delay and drains in-flight requests. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        leave();
    }

    /** Without a shutdown delay there is no earlier hook: leave now (in-flight requests are already drained). */
    void onShutdown(@Observes ShutdownEvent event) {
        leave();
    }

    @PreDestroy
    void closeMetrics() {
        metrics.close();
    }

    public Status status() {
        Phase now = phase.get();
        boolean outOfConsul = now == Phase.REGISTERED && loop.failingSince()
                .filter(since -> Duration.between(since, Instant.now()).compareTo(settings.ttl()) > 0).isPresent();
        return new Status(now, Optional.ofNullable(instance.get()).map(InstanceSpec::id), loop.problem(),
                loop.lastActivity(), outOfConsul);
    }

    /** How long the loop may stay quiet before liveness says it died: well past one heartbeat or one retry. */
    public Duration livenessWindow() {
        Duration slowest = settings.ttl().dividedBy(3).compareTo(settings.retryMaxDelay()) > 0
                ? settings.ttl().dividedBy(3)
                : settings.retryMaxDelay();
        return slowest.plus(consulSettings.requestTimeout()).multipliedBy(3);
    }

    /** Starts registering, once; a port reported a second time, or after leaving began, changes nothing. */
    private void register(ServerPorts.Bound bound) {
        InstanceSpec spec;
        try {
            spec = InstanceSpec.of(settings, InstanceAddress.advertised(settings.address(), httpHost), bound.http(),
                    bound.management(), zone);
        } catch (IllegalArgumentException e) {
            loop.report("Not registering in Consul: " + e.getMessage(), true);
            return;
        }
        if (!instance.compareAndSet(null, spec) || !phase.compareAndSet(Phase.STARTING, Phase.REGISTERING)) {
            return;
        }
        LOG.infof("Registering %s (%s:%d) in Consul at %s", spec.id(), spec.address(), spec.port(),
                consulSettings.address());
        attempts.start(spec, count -> onRegistered(spec, count));
    }

    private void onRegistered(InstanceSpec spec, int attemptCount) {
        if (!phase.compareAndSet(Phase.REGISTERING, Phase.REGISTERED)) {
            return;
        }
        loop.resolved(spec.id());
        LOG.infof("Registered %s in Consul (attempt %d); heartbeat every %s", spec.id(), attemptCount,
                spec.heartbeatInterval());
        heartbeat.start(spec, () -> onAgentForgot(spec));
        registered.fireAsync(new InstanceRegistered(spec.id(), spec.serviceName()));
    }

    private void onAgentForgot(InstanceSpec spec) {
        if (!phase.compareAndSet(Phase.REGISTERED, Phase.REGISTERING)) {
            return;
        }
        LOG.warnf("Consul no longer knows %s (agent restarted without state, or the entry was removed): registering"
                + " again", spec.id());
        metrics.reregistered();
        attempts.start(spec, count -> onRegistered(spec, count));
    }

    /**
     * The agent syncs an entry to the servers with the token it was registered with; once that token is rotated
     * out (deleted) a later change, leaving included, would not reach the catalog. Registering the same entry again
     * with the new token replaces it; the entry stays registered and passing meanwhile.
     */
    private void registerWithNewToken() {
        InstanceSpec spec = instance.get();
        if (spec != null && phase.get() == Phase.REGISTERED) {
            LOG.infof("Consul ACL token changed: registering %s again with it", spec.id());
            attempts.start(spec, count -> loop.resolved(spec.id()));
        }
    }

    /**
     * Leaves Consul once: readiness goes DOWN, the loops stop, a register request on the wire is waited for, then
     * the entry is deregistered and verified gone, unless no register request can have reached the agent.
     */
    private void leave() {
        if (!leaving.compareAndSet(false, true)) {
            return;
        }
        Phase before = phase.getAndSet(Phase.DRAINING);
        long deadline = System.nanoTime() + settings.leaveTimeout().toNanos();
        portWait.cancel();
        heartbeat.stop();
        Duration registerWait = consulSettings.requestTimeout().multipliedBy(3);
        attempts.stop(registerWait.compareTo(settings.leaveTimeout()) < 0 ? registerWait : settings.leaveTimeout());
        if (before == Phase.DISABLED) {
            phase.set(Phase.DISABLED);
        } else if (before == Phase.STARTING) {
            phase.set(Phase.DEREGISTERED);
        } else if (!attempts.mayHaveReachedAgent()) {
            phase.set(Phase.DEREGISTERED);
            LOG.infof("%s never reached Consul: nothing to deregister", instance.get().id());
        } else if (deregistration.leave(instance.get(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            phase.set(Phase.DEREGISTERED);
        }
    }
}
