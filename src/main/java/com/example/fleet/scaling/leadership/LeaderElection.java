package com.example.fleet.scaling.leadership;

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

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.registration.InstanceRegistered;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.scaling.audit.LeaderStatus;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.consul.KeyValueOptions;
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
public class LeaderElection implements LeaderStatus {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

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
    private volatile boolean leader;
    private volatile Optional<String> leaderId = Optional.empty();
    private volatile Optional<String> holderSession = Optional.empty();
    private volatile ElectionSession session;
    private volatile KeyWatch watch;

    /** Starts once this instance is registered: its ID is what the lock holds. */
    void start(@ObservesAsync InstanceRegistered registered) {
        if (!settings.enabled() || !started.compareAndSet(false, true)) {
            return;
        }
        instanceId = registered.instanceId();
        session = new ElectionSession(settings, clients, consul, vertx, () -> leader, new SessionOutcomes());
        // the watch runs from the start, with or without a session: it tells who leads, and it is what reports this
        // instance's own acquisition, whichever session attempt succeeded
        watch = clients.watchKey(settings.leaderKey(), settings.watchTiming(), this::onLock,
                failure -> LOG.debugf("Watching %s failed: %s", settings.leaderKey(), failure)).start();
        // without a session this instance can never hold the lock
        if (settings.leaderCandidate()) {
            session.create(instanceId);
        }
    }

    public View view() {
        ElectionSession current = session;
        return new View(leader, leaderId, current == null ? Optional.empty() : current.id(),
                current == null ? Optional.empty() : current.problem());
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    /** What the session's renewals mean for this instance's part in the election. */
    private final class SessionOutcomes implements ElectionSession.Outcomes {
        @Override
        public void created(String id) {
            tryAcquire();
        }

        @Override
        public void renewed(String id) {
            if (!leader && holderSession.equals(Optional.of(id))) {
                becomeLeader();
            }
        }

        @Override
        public void expired(String id) {
            becomeFollower("session " + id + " expired");
            session.create(instanceId);
        }

        @Override
        public void renewalFailed(String problem) {
            becomeFollower(problem + "; leading again once a renewal succeeds while the session holds the lock");
        }
    }

    private void onLock(Optional<KeyReader.Entry> lock) {
        Optional<String> holder = lock.flatMap(KeyReader.Entry::session);
        holderSession = holder;
        leaderId = holder.isPresent() ? lock.map(e -> new String(e.value(), StandardCharsets.UTF_8)) : Optional.empty();
        if (holder.isPresent() && holder.equals(session.id())) {
            becomeLeader();
        } else {
            becomeFollower(holder.isPresent() ? "another instance holds the lock" : "the lock is free");
            if (holder.isEmpty()) {
                tryAcquire();
            }
        }
    }

    private void tryAcquire() {
        Optional<String> id = session.id();
        if (stopping || id.isEmpty()) {
            return;
        }
        consul.putValueWithOptions(settings.leaderKey(), instanceId, new KeyValueOptions().setAcquireSession(id.get()))
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
            session.pace();
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
        ElectionSession current = session;
        if (current != null) {
            current.stop();
        }
        if (watch != null) {
            watch.close();
        }
        Optional<String> id = current == null ? Optional.empty() : current.id();
        if (id.isEmpty()) {
            return;
        }
        Duration bound = Duration.ofSeconds(5);
        try {
            if (leader) {
                consul.putValueWithOptions(settings.leaderKey(), instanceId,
                        new KeyValueOptions().setReleaseSession(id.get())).await().atMost(bound);
                leader = false;
                audit.record(audit.newTraceId(), "leader-released", settings.service(), Optional.of(instanceId),
                        Optional.empty(), "shutdown");
            }
            consul.destroySession(id.get()).await().atMost(bound);
        } catch (RuntimeException e) {
            LOG.warnf("Could not release leadership cleanly: %s; the session ends by its TTL (%s)",
                    ConsulErrors.describe(e, "release " + settings.leaderKey(), "key:write and session:write",
                            clients.tokenSource()),
                    settings.sessionTtl());
        }
    }
}
