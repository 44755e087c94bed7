package com.example.fleet.scaling.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulClients;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.ConsulSettings;
import com.example.fleet.consul.KeyReader;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.scaling.ScalingSettings;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.KeyValueOptions;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The fleet's recent audit events in Consul KV ({@link ScalingSettings#auditKey()}, an {@link AuditTrail}), so
 * that any instance can show what the leader did, also after the leader changed. Only the leader writes: the lines
 * it audits while it leads, and its {@code leader-lost} line when it steps down. A follower's lines (its own view
 * of a policy change every instance makes, its drain) stay in its log: one writer means no contention on the key
 * however large the fleet, and a trail without the same event once per instance.
 * <p>
 * Writing happens in the background, one batch at a time, with check-and-set on the value read just before, so a
 * leader stepping down and the next one never overwrite each other's events. A write that fails costs a WARN (once
 * while the same problem lasts) and nothing else: the audited action went on and its log line is written.
 */
@ApplicationScoped
public class AuditRing {

    private static final Logger LOG = Logger.getLogger(AuditRing.class);
    /** Check-and-set attempts per batch: only a leader stepping down writes at the same time as the next one. */
    private static final int ATTEMPTS = 5;
    /** How long shutdown waits for events not yet written, such as {@code leader-released}. */
    private static final Duration FLUSH_AT_SHUTDOWN = Duration.ofSeconds(2);
    private static final String LEADER_LOST = "leader-lost";

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulSettings consulSettings;
    @Inject
    ConsulClients clients;
    @Inject
    ConsulClient consul;
    // the election, which audits through AuditLog: a bean cycle the client proxies resolve, and no package cycle
    @Inject
    LeaderStatus leader;

    private final Queue<JsonObject> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
    private volatile String lastProblem;
    private KeyReader reader;

    @PostConstruct
    void createReader() {
        reader = clients.keyReader(settings.watchTiming());
    }

    @PreDestroy
    void closeReader() {
        reader.close();
    }

    /** Adds the line to the stored trail in the background if the fleet's trail takes it; never fails. */
    void offer(String event, JsonObject line) {
        if (leader.isLeader() || LEADER_LOST.equals(event)) {
            pending.add(line);
            writeNext();
        }
    }

    /** The stored trail now; a failure when Consul cannot be read. */
    public Uni<AuditTrail> read() {
        return reader.read(settings.auditKey()).ifNoItem().after(consulSettings.requestTimeout())
                .failWith(() -> new TimeoutException("no answer within " + consulSettings.requestTimeout()))
                .map(AuditRing::trailOf);
    }

    /**
     * A blocking-query watch of the stored trail, started: every answer reaches {@code onTrail}, and why Consul
     * cannot be read, when it cannot, {@code onProblem}. Close it.
     */
    public KeyWatch watch(Consumer<AuditTrail> onTrail, Consumer<String> onProblem) {
        return clients.watchKey(settings.auditKey(), settings.watchTiming(), entry -> onTrail.accept(trailOf(entry)),
                failure -> onProblem.accept(describe(failure))).start();
    }

    /** Why the trail cannot be read, in one line (see {@link ConsulErrors#describe}). */
    public String describe(Throwable failure) {
        return ConsulErrors.describe(failure, "read " + settings.auditKey(),
                "key:read on \"" + settings.auditKey() + "\"", clients.tokenSource());
    }

    /** Where the trail is stored. */
    public String key() {
        return settings.auditKey();
    }

    /** Gives the last events, such as the leader's {@code leader-released}, a short while to reach Consul. */
    void flush(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownEvent event) {
        long deadline = System.nanoTime() + FLUSH_AT_SHUTDOWN.toNanos();
        try {
            // a batch that ends starts the next one, with the lines offered meanwhile
            while (writing.get() || !pending.isEmpty()) {
                written.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("Audit events may not have reached %s before shutdown; their log lines are written",
                    settings.auditKey());
        }
    }

    private void writeNext() {
        if (pending.isEmpty() || !writing.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        written = done;
        List<JsonObject> batch = new ArrayList<>();
        for (JsonObject line = pending.poll(); line != null; line = pending.poll()) {
            batch.add(line);
        }
        write(batch, 1).subscribe().with(ignored -> {
            if (lastProblem != null) {
                LOG.infof("Audit events reach %s again", settings.auditKey());
                lastProblem = null;
            }
            finish(done);
        }, failure -> {
            String problem = ConsulErrors.describe(failure, "add " + batch.size() + " audit event(s) to "
                    + settings.auditKey(), "key:write on \"" + settings.auditKey() + "\"", clients.tokenSource());
            if (!problem.equals(lastProblem)) {
                LOG.warnf("%s; the page's audit list misses them, their log lines are written", problem);
            }
            lastProblem = problem;
            finish(done);
        });
    }

    private void finish(CompletableFuture<Void> done) {
        writing.set(false);
        // lines offered while this batch was written
        writeNext();
        done.complete(null);
    }

    private Uni<Void> write(List<JsonObject> batch, int attempt) {
        return reader.read(settings.auditKey()).chain(entry -> {
            AuditTrail stored = trailOf(entry);
            stored.problem().ifPresent(problem -> LOG.warnf("%s: %s", settings.auditKey(), problem));
            long casIndex = entry.map(KeyReader.Entry::modifyIndex).orElse(0L);
            return consul.putValueWithOptions(settings.auditKey(), stored.append(batch).encode(),
                    new KeyValueOptions().setCasIndex(casIndex));
        }).chain(stored -> {
            if (stored) {
                return Uni.createFrom().voidItem();
            }
            if (attempt < ATTEMPTS) {
                return write(batch, attempt + 1);
            }
            return Uni.createFrom().failure(new IllegalStateException("the key changed under each of " + ATTEMPTS
                    + " check-and-set attempts"));
        });
    }

    private static AuditTrail trailOf(Optional<KeyReader.Entry> entry) {
        return entry.map(e -> AuditTrail.parse(e.value())).orElse(AuditTrail.empty());
    }
}
