package com.example.fleet.scaling.leadership;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.support.VertxTimers;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.ext.consul.SessionBehavior;
import io.vertx.ext.consul.SessionOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The Consul session an instance holds the leader lock with: created with retries until it exists (the agent may be
 * busy or restarting, or the token may get session:write only later), then renewed every TTL/2, and at least twice
 * per lock-delay while the instance leads, so that a leader learns of a lost session before anyone else may take
 * the lock. What each outcome means for the election is {@link LeaderElection}'s to decide.
 */
final class ElectionSession {

    private static final Logger LOG = Logger.getLogger(ElectionSession.class);
    /** Backoff of session creation: quick while an agent restarts, at most one attempt per 5 s on a lasting refusal. */
    private static final Duration RETRY_FIRST = Duration.ofMillis(200);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    /** Renewals of a leader at most this often, whatever the lock-delay. */
    private static final Duration LEADER_RENEW_FLOOR = Duration.ofMillis(500);
    /** After a failed renewal, the next attempt comes this soon: leading again waits for it. */
    private static final Duration RENEW_RETRY = Duration.ofSeconds(1);

    /** What the election learns from the session. */
    interface Outcomes {
        /** A session exists now: the lock can be tried. */
        void created(String session);

        /** {@code session} was renewed. */
        void renewed(String session);

        /** Consul no longer knows {@code session} (agent restart, long pause): the lock went with it. */
        void expired(String session);

        /** A renewal failed for another reason, said in {@code problem}; the next attempt comes soon. */
        void renewalFailed(String problem);
    }

    private final ScalingSettings settings;
    private final ConsulClients clients;
    private final ConsulClient consul;
    private final Vertx vertx;
    private final BooleanSupplier leading;
    private final Outcomes outcomes;

    private volatile boolean stopping;
    private volatile String sessionId;
    private volatile String problem;
    private volatile long renewTimer = -1;
    /** Only the newest chain of renewals goes on: a new pace starts a new chain. */
    private final AtomicLong renewChain = new AtomicLong();
    private volatile Cancellable sessionRequest;

    ElectionSession(ScalingSettings settings, ConsulClients clients, ConsulClient consul, Vertx vertx,
            BooleanSupplier leading, Outcomes outcomes) {
        this.settings = settings;
        this.clients = clients;
        this.consul = consul;
        this.vertx = vertx;
        this.leading = leading;
        this.outcomes = outcomes;
    }

    Optional<String> id() {
        return Optional.ofNullable(sessionId);
    }

    /** Why the session cannot be created or renewed right now. */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Creates the session named for {@code instanceId}, retrying with backoff until it succeeds or stops. */
    void create(String instanceId) {
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
                    pace();
                    outcomes.created(id);
                }, failure -> {
                    // only a stopping instance ends here
                });
    }

    /** Renews at the pace of the current role from now on: a new chain of renewals, after one interval. */
    void pace() {
        long chain = renewChain.incrementAndGet();
        vertx.cancelTimer(renewTimer);
        renewTimer = vertx.setTimer(renewInterval().toMillis(), t -> renew(chain));
    }

    /** Stops creating and renewing; the session itself is the election's to release and destroy. */
    void stop() {
        stopping = true;
        Cancellable request = sessionRequest;
        if (request != null) {
            request.cancel();
        }
        vertx.cancelTimer(renewTimer);
    }

    private void scheduleRenew(long chain, Duration delay) {
        if (chain == renewChain.get()) {
            renewTimer = vertx.setTimer(delay.toMillis(), t -> renew(chain));
        }
    }

    private Duration renewInterval() {
        return renewInterval(settings.sessionTtl(), settings.lockDelay(), leading.getAsBoolean());
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
            outcomes.renewed(session);
            // a new pace started by the outcome ends this chain here
            scheduleRenew(chain, renewInterval());
        }, failure -> {
            if (ConsulErrors.isSessionNotFound(failure)) {
                sessionId = null;
                outcomes.expired(session);
            } else {
                problem = ConsulErrors.describe(failure, "renew the leader election session", "session:write",
                        clients.tokenSource());
                outcomes.renewalFailed(problem);
                scheduleRenew(chain, RENEW_RETRY);
            }
        });
    }
}
