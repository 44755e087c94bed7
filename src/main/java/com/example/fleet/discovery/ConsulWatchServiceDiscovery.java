package com.example.fleet.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.example.fleet.consul.BlockingQueryLoop;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.consul.WatchTiming;

import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.ServiceDiscovery;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Push-based discovery of one Consul service: a {@link BlockingQueryLoop} on its health keeps an immutable {@link Snapshot} up to
 * date and Stork reads whichever snapshot is current. A Consul error never empties the pool: the last answer
 * stays, marked with the problem.
 */
public final class ConsulWatchServiceDiscovery implements ServiceDiscovery {

    private static final Logger LOG = Logger.getLogger(ConsulWatchServiceDiscovery.class);

    private final String consulService;
    private final InstanceFilter filter;
    private final Duration firstSnapshotTimeout;
    private final ConsulClient client;
    private final InstanceCatalog catalog;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final CompletableFuture<Snapshot> first = new CompletableFuture<>();
    private final BlockingQueryLoop<List<HealthEntry>> watch;
    private final String tokenSource;
    private volatile String lastProblem;

    /**
     * @param secure TLS towards every instance or none; empty: as each instance's Meta says
     * @param client a client whose read timeout covers the timing's blocking queries; stopping closes it
     * @param tokenSource where its ACL token comes from, for messages
     */
    ConsulWatchServiceDiscovery(String consulService, InstanceFilter filter, Optional<Boolean> secure,
            Duration firstSnapshotTimeout, ConsulClient client, WatchTiming timing, Vertx vertx, String tokenSource) {
        this.consulService = consulService;
        this.filter = filter;
        this.catalog = new InstanceCatalog(secure);
        this.firstSnapshotTimeout = firstSnapshotTimeout;
        this.client = client;
        this.tokenSource = tokenSource;
        this.watch = new BlockingQueryLoop<>(vertx, index -> ServiceHealth.read(client, consulService,
                filter.passingOnly(), index, timing), timing, this::onAnswer, this::onFailure);
    }

    void start() {
        watch.start();
    }

    void stop() {
        watch.stop();
        client.close();
    }

    public String consulService() {
        return consulService;
    }

    /** The current snapshot, if Consul answered at least once. */
    public Optional<Snapshot> snapshot() {
        return Optional.ofNullable(current.get());
    }

    /**
     * The instances of the current snapshot; before the first answer, waits for it up to the configured
     * first-snapshot-timeout rather than failing at once.
     */
    @Override
    public Uni<List<ServiceInstance>> getServiceInstances() {
        Snapshot snapshot = current.get();
        if (snapshot != null) {
            return Uni.createFrom().item(snapshot.instances());
        }
        // a copy: a caller that gives up cancels its stage, which must not cancel the first answer for others
        return Uni.createFrom().completionStage(first::copy)
                .ifNoItem().after(firstSnapshotTimeout).failWith(() -> new IllegalStateException(
                        "Consul has not answered about service '" + consulService + "' within " + firstSnapshotTimeout
                                + (lastProblem == null ? "" : ": " + lastProblem)))
                .map(Snapshot::instances);
    }

    private void onAnswer(BlockingQueryLoop.Answer<List<HealthEntry>> answer) {
        List<HealthEntry> accepted = answer.value().stream().filter(filter::accepts).toList();
        List<ServiceInstance> instances = catalog.update(accepted);
        Snapshot next = new Snapshot(instances, answer.index(), Instant.now(), Optional.empty());
        Snapshot previous = current.getAndSet(next);
        if (lastProblem != null) {
            LOG.infof("Consul answers again about '%s'", consulService);
            lastProblem = null;
        }
        if (previous == null) {
            LOG.debugf("First snapshot of '%s': %d instances", consulService, instances.size());
            first.complete(next);
        }
    }

    private void onFailure(Throwable failure) {
        String problem = ConsulErrors.describe(failure, "watch service '" + consulService + "'",
                "service:read on \"" + consulService + "\" and node:read", tokenSource);
        current.updateAndGet(snapshot -> snapshot == null ? null : snapshot.failing(problem));
        if (!problem.equals(lastProblem)) {
            LOG.warnf("%s; keeping the last known instances and retrying", problem);
        }
        lastProblem = problem;
    }
}
