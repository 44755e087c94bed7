package com.example.fleet.scaling;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.Backoff;
import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.registration.InstanceRegistered;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.consul.KeyValueOptions;
import io.vertx.ext.consul.SessionBehavior;
import io.vertx.ext.consul.SessionOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * One leader per service, through a Consul session and a lock key: each instance keeps a session alive (renewed
 * every TTL/2) and watches the lock with a blocking query; when the lock has no holder it tries to acquire it.
 * Consul enforces the lock-delay after a holder's session ends, so a failed attempt is retried once it passed. On
 * shutdown the leader releases the lock before destroying its session, so the next one need not wait the delay.
 * Every instance can tell who leads: the lock's value is the leader's instance ID.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /** Leadership changed on this instance; observers act only while {@code leader} is true. */
    public record Leadership(boolean leader, String traceId) {
    }

    /** What this instance knows of the election. */
    public record View(boolean leader, Optional<String> leaderId, Optional<String> sessionId) {
    }

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulClients clients;
    @Inject
    ConsulClient consul;
    @Inject
    Vertx vertx;
    @Inject
    AuditLog audit;
    @Inject
    Event<Leadership> leadership;

    private final AtomicBoolean started = new AtomicBoolean();
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    private volatile boolean stopping;
    private volatile String instanceId;
    private volatile String sessionId;
    private volatile boolean leader;
    private volatile Optional<String> leaderId = Optional.empty();
    private volatile long renewTimer = -1;
    private KeyWatch watch;

    /** Starts once this instance is registered: its ID is what the lock holds. */
    void start(@ObservesAsync InstanceRegistered registered) {
        if (!settings.enabled() || !started.compareAndSet(false, true)) {
            return;
        }
        instanceId = registered.instanceId();
        watch = clients.watchKey(settings.leaderKey(), settings.watchTiming(), this::onLock,
                failure -> LOG.debugf("Watching %s failed: %s", settings.leaderKey(), failure));
        vertx.runOnContext(() -> createSession(1));
    }

    public View view() {
        return new View(leader, leaderId, Optional.ofNullable(sessionId));
    }

    public boolean isLeader() {
        return leader;
    }

    private void createSession(int attempt) {
        if (stopping) {
            return;
        }
        SessionOptions options = new SessionOptions().setName(settings.service() + " leader election: " + instanceId)
                .setTtl(settings.sessionTtl().toSeconds()).setLockDelay(settings.lockDelay().toSeconds())
                .setBehavior(SessionBehavior.RELEASE);
        consul.createSessionWithOptions(options).subscribe().with(id -> {
            sessionId = id;
            scheduleRenew();
            if (attempt == 1 && watch != null) {
                watch.start();
            } else {
                tryAcquire();
            }
        }, failure -> {
            LOG.warnf("%s; retrying", ConsulErrors.describe(failure, "create a session", "session:write"));
            vertx.setTimer(backoff.delay(attempt).toMillis(), t -> createSession(attempt + 1));
        });
    }

    private void scheduleRenew() {
        renewTimer = vertx.setTimer(settings.sessionTtl().dividedBy(2).toMillis(), t -> renew());
    }

    private void renew() {
        String session = sessionId;
        if (stopping || session == null) {
            return;
        }
        consul.renewSession(session).subscribe().with(ok -> scheduleRenew(), failure -> {
            if (failure.getMessage() != null && failure.getMessage().contains("not found")) {
                // the session expired (agent restart, long pause): the lock is gone with it
                sessionId = null;
                becomeFollower("session " + session + " expired");
                createSession(2);
            } else {
                scheduleRenew();
            }
        });
    }

    private void onLock(Optional<KeyReader.Entry> lock) {
        Optional<String> holder = lock.flatMap(KeyReader.Entry::session);
        leaderId = holder.isPresent() ? lock.map(e -> new String(e.value(), StandardCharsets.UTF_8)) : Optional.empty();
        if (holder.isPresent() && holder.get().equals(sessionId)) {
            becomeLeader();
        } else {
            becomeFollower(holder.isPresent() ? "another instance holds the lock" : "the lock is free");
            if (holder.isEmpty()) {
                tryAcquire();
            }
        }
    }

    private void tryAcquire() {
        String session = sessionId;
        if (stopping || session == null) {
            return;
        }
        consul.putValueWithOptions(settings.leaderKey(), instanceId, new KeyValueOptions().setAcquireSession(session))
                .subscribe().with(acquired -> {
                    if (!acquired) {
                        // held, or within the lock-delay of the previous holder: look again once it passed
                        vertx.setTimer(Math.max(100, settings.lockDelay().toMillis()), t -> {
                            if (leaderId.isEmpty()) {
                                tryAcquire();
                            }
                        });
                    }
                }, failure -> LOG.warnf("%s", ConsulErrors.describe(failure, "acquire " + settings.leaderKey(),
                        "key:write on \"" + settings.leaderKey() + "\" and session:write")));
    }

    private void becomeLeader() {
        if (!leader) {
            leader = true;
            String traceId = AuditLog.newTraceId();
            LOG.infof("This instance (%s) now leads %s", instanceId, settings.service());
            audit.record(traceId, "leader-acquired", settings.service(), Optional.empty(), Optional.of(instanceId),
                    "acquired " + settings.leaderKey());
            leadership.fireAsync(new Leadership(true, traceId));
        }
    }

    private void becomeFollower(String why) {
        if (leader) {
            leader = false;
            String traceId = AuditLog.newTraceId();
            LOG.infof("This instance (%s) no longer leads %s: %s", instanceId, settings.service(), why);
            audit.record(traceId, "leader-lost", settings.service(), Optional.of(instanceId), leaderId, why);
            leadership.fireAsync(new Leadership(false, traceId));
        }
    }

    /** Releases the lock first, so the next leader need not wait the lock-delay, then ends the session. */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (watch != null) {
            watch.close();
        }
        vertx.cancelTimer(renewTimer);
        String session = sessionId;
        if (session == null) {
            return;
        }
        Duration bound = Duration.ofSeconds(5);
        try {
            if (leader) {
                consul.putValueWithOptions(settings.leaderKey(), instanceId,
                        new KeyValueOptions().setReleaseSession(session)).await().atMost(bound);
                leader = false;
                audit.record(AuditLog.newTraceId(), "leader-released", settings.service(), Optional.of(instanceId),
                        Optional.empty(), "shutdown");
            }
            consul.destroySession(session).await().atMost(bound);
        } catch (RuntimeException e) {
            LOG.warnf("Could not release leadership cleanly: %s; the session ends by its TTL (%s)",
                    ConsulErrors.describe(e, "release " + settings.leaderKey(), "key:write and session:write"),
                    settings.sessionTtl());
        }
    }
}
