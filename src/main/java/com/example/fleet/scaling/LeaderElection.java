package com.example.fleet.scaling;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.registration.InstanceRegistered;
import com.example.fleet.support.VertxTimers;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.ext.consul.KeyValueOptions;
import io.vertx.ext.consul.SessionBehavior;
import io.vertx.ext.consul.SessionOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * One leader per service, through a Consul session and a lock key: each instance keeps a session alive (renewed
 * every TTL/2) and watches the lock with a blocking query; when the lock has no holder it tries to acquire it, and
 * so does every new session. The watch alone reports who holds the lock, this instance included, so it runs from
 * registration on, whether the session came at the first attempt or a later one.
 * Consul enforces the lock-delay after a holder's session ends, so a failed attempt is retried once it passed. On
 * shutdown the leader releases the lock before destroying its session, so the next one need not wait the delay.
 * Every instance can tell who leads: the lock's value is the leader's instance ID. One that is no leader candidate
 * ({@code fleet.scaling.leader-candidate=false}) only watches.
 * <p>
 * A leader that cannot renew its session steps down at once: its session may already be gone (a session is tied to
 * its node, so a dead agent ends it as soon as the servers notice), and another instance may take the lock one
 * lock-delay later. So the leader renews at least twice per lock-delay, and two leaders never act at the same time.
 * It leads again as soon as a renewal succeeds while its session still holds the lock.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    /** Backoff of session creation: quick while an agent restarts, at most one attempt per 5 s on a lasting refusal. */
    private static final Duration RETRY_FIRST = Duration.ofMillis(200);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    /** Renewals of a leader at most this often, whatever the lock-delay. */
    private static final Duration LEADER_RENEW_FLOOR = Duration.ofMillis(500);
    /** After a failed renewal, the next attempt comes this soon: leading again waits for it. */
    private static final Duration RENEW_RETRY = Duration.ofSeconds(1);

    /** Leadership changed on this instance; observers act only while {@code leader} is true. */
    public record Leadership(boolean leader, String traceId) {
    }

    /**
     * What this instance knows of the election.
     *
     * @param consulProblem why its session cannot be created or renewed right now (it does not lead meanwhile)
     */
    public record View(boolean leader, Optional<String> leaderId, Optional<String> sessionId,
            Optional<String> consulProblem) {
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
    private volatile boolean stopping;
    private volatile String instanceId;
    private volatile String sessionId;
    private volatile boolean leader;
    private volatile Optional<String> leaderId = Optional.empty();
    private volatile Optional<String> holderSession = Optional.empty();
    private volatile String problem;
    private volatile long renewTimer = -1;
    /** Only the newest chain of renewals goes on: becoming leader starts one at the leader's pace. */
    private final AtomicLong renewChain = new AtomicLong();
    private volatile Cancellable sessionRequest;
    private volatile KeyWatch watch;

    /** Starts once this instance is registered: its ID is what the lock holds. */
    void start(@ObservesAsync InstanceRegistered registered) {
        if (!settings.enabled() || !started.compareAndSet(false, true)) {
            return;
        }
        instanceId = registered.instanceId();
        // the watch runs from the start, with or without a session: it tells who leads, and it is what reports this
        // instance's own acquisition, whichever session attempt succeeded
        watch = clients.watchKey(settings.leaderKey(), settings.watchTiming(), this::onLock,
                failure -> LOG.debugf("Watching %s failed: %s", settings.leaderKey(), failure)).start();
        // without a session this instance can never hold the lock
        if (settings.leaderCandidate()) {
            createSession();
        }
    }

    public View view() {
        return new View(leader, leaderId, Optional.ofNullable(sessionId), Optional.ofNullable(problem));
    }

    public boolean isLeader() {
        return leader;
    }

    /**
     * Creates the session, retrying with backoff until it succeeds or the instance stops: the agent may be busy or
     * restarting, or the token may get session:write only later. Then it tries the lock at once.
     */
    private void createSession() {
        SessionOptions options = new SessionOptions().setName(settings.service() + " leader election: " + instanceId)
                .setTtl(settings.sessionTtl().toSeconds()).setLockDelay(settings.lockDelay().toSeconds())
                .setBehavior(SessionBehavior.RELEASE);
        sessionRequest = Uni.createFrom().deferred(() -> consul.createSessionWithOptions(options))
                .onFailure(failure -> !stopping).invoke(failure -> {
                    problem = ConsulErrors.describe(failure, "create a session", "session:write",
                            clients.tokenSource());
                    LOG.warnf("%s; retrying", problem);
                })
                // the waits between attempts are Vert.x timers
                .onFailure(failure -> !stopping).retry().withBackOff(RETRY_FIRST, RETRY_MAX).withJitter(0.5)
                .withExecutor(new VertxTimers(vertx.getDelegate())).indefinitely()
                .subscribe().with(id -> {
                    sessionId = id;
                    problem = null;
                    startRenewals(renewInterval());
                    tryAcquire();
                }, failure -> {
                    // only a stopping instance ends here
                });
    }

    /** Starts a new chain of renewals after {@code delay}; a chain still running ends at its next step. */
    private void startRenewals(Duration delay) {
        long chain = renewChain.incrementAndGet();
        vertx.cancelTimer(renewTimer);
        renewTimer = vertx.setTimer(delay.toMillis(), t -> renew(chain));
    }

    private void scheduleRenew(long chain, Duration delay) {
        if (chain == renewChain.get()) {
            renewTimer = vertx.setTimer(delay.toMillis(), t -> renew(chain));
        }
    }

    private Duration renewInterval() {
        return renewInterval(settings.sessionTtl(), settings.lockDelay(), leader);
    }

    /**
     * Every TTL/2 keeps a session alive; a leader renews at least twice per lock-delay, so that it learns of a lost
     * session before anyone else may take the lock.
     */
    static Duration renewInterval(Duration sessionTtl, Duration lockDelay, boolean leader) {
        Duration keepAlive = sessionTtl.dividedBy(2);
        if (!leader) {
            return keepAlive;
        }
        Duration guard = lockDelay.dividedBy(2);
        Duration interval = guard.compareTo(keepAlive) < 0 ? guard : keepAlive;
        return interval.compareTo(LEADER_RENEW_FLOOR) < 0 ? LEADER_RENEW_FLOOR : interval;
    }

    private void renew(long chain) {
        String session = sessionId;
        if (stopping || session == null || chain != renewChain.get()) {
            return;
        }
        consul.renewSession(session).subscribe().with(ok -> {
            problem = null;
            if (!leader && holderSession.equals(Optional.of(session))) {
                becomeLeader();
            } else {
                scheduleRenew(chain, renewInterval());
            }
        }, failure -> {
            if (ConsulErrors.isSessionNotFound(failure)) {
                // the session expired (agent restart, long pause): the lock is gone with it
                sessionId = null;
                becomeFollower("session " + session + " expired");
                createSession();
            } else {
                problem = ConsulErrors.describe(failure, "renew the leader election session", "session:write",
                        clients.tokenSource());
                becomeFollower(problem + "; leading again once a renewal succeeds while the session holds the lock");
                scheduleRenew(chain, RENEW_RETRY);
            }
        });
    }

    private void onLock(Optional<KeyReader.Entry> lock) {
        Optional<String> holder = lock.flatMap(KeyReader.Entry::session);
        holderSession = holder;
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
                        "key:write on \"" + settings.leaderKey() + "\" and session:write", clients.tokenSource())));
    }

    private void becomeLeader() {
        if (!leader) {
            leader = true;
            // renew at the leader's pace from now on
            startRenewals(renewInterval());
            String traceId = audit.newTraceId();
            LOG.infof("This instance (%s) now leads %s", instanceId, settings.service());
            audit.record(traceId, "leader-acquired", settings.service(), Optional.empty(), Optional.of(instanceId),
                    "acquired " + settings.leaderKey());
            leadership.fireAsync(new Leadership(true, traceId));
        }
    }

    private void becomeFollower(String why) {
        if (leader) {
            leader = false;
            String traceId = audit.newTraceId();
            LOG.infof("This instance (%s) no longer leads %s: %s", instanceId, settings.service(), why);
            audit.record(traceId, "leader-lost", settings.service(), Optional.of(instanceId), leaderId, why);
            leadership.fireAsync(new Leadership(false, traceId));
        }
    }

    /** Releases the lock first, so the next leader need not wait the lock-delay, then ends the session. */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        Cancellable request = sessionRequest;
        if (request != null) {
            request.cancel();
        }
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
                audit.record(audit.newTraceId(), "leader-released", settings.service(), Optional.of(instanceId),
                        Optional.empty(), "shutdown");
            }
            consul.destroySession(session).await().atMost(bound);
        } catch (RuntimeException e) {
            LOG.warnf("Could not release leadership cleanly: %s; the session ends by its TTL (%s)",
                    ConsulErrors.describe(e, "release " + settings.leaderKey(), "key:write and session:write",
                            clients.tokenSource()),
                    settings.sessionTtl());
        }
    }
}
