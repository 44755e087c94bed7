package com.example.fleet.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.example.fleet.consul.WatchTiming;

import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.ServiceDiscovery;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Push-based discovery of one Consul service: one {@link DatacenterWatch} on its health in the local datacenter,
 * and one more per failover datacenter, keep an immutable {@link Snapshot} up to date, and Stork reads whichever
 * snapshot is current. A Consul error never empties the pool: the last answer stays, marked with the problem.
 */
public final class ConsulWatchServiceDiscovery implements ServiceDiscovery {

    private static final Logger LOG = Logger.getLogger(ConsulWatchServiceDiscovery.class);

    private final String consulService;
    private final Duration firstSnapshotTimeout;
    private final List<DatacenterWatch> watches = new ArrayList<>();
    private final CompletableFuture<Snapshot> first = new CompletableFuture<>();
    // written under the lock by the watches' loops, which may run on different event loops; read without it
    private final Object combining = new Object();
    private volatile Snapshot current;

    /**
     * @param secure TLS towards every instance or none; empty: as each instance's Meta says
     * @param failoverDatacenters the datacenters to watch as well, in the order calls fail over to them
     * @param clientOf a new client for the datacenter named (empty: the local one), whose read timeout covers
     *        the timing's blocking queries; stopping closes it
     * @param tokenSource where its ACL token comes from, for messages
     */
    ConsulWatchServiceDiscovery(String consulService, InstanceFilter filter, Optional<Boolean> secure,
            Duration firstSnapshotTimeout, List<String> failoverDatacenters,
            Function<Optional<String>, ConsulClient> clientOf, WatchTiming timing, Vertx vertx, String tokenSource) {
        this.consulService = consulService;
        this.firstSnapshotTimeout = firstSnapshotTimeout;
        List<Optional<String>> datacenters = new ArrayList<>();
        datacenters.add(Optional.empty());
        failoverDatacenters.forEach(name -> datacenters.add(Optional.of(name)));
        for (int rank = 0; rank < datacenters.size(); rank++) {
            Optional<String> datacenter = datacenters.get(rank);
            watches.add(new DatacenterWatch(consulService, datacenter, rank, filter, secure,
                    clientOf.apply(datacenter), timing, vertx, tokenSource, this::onChange));
        }
    }

    void start() {
        watches.forEach(DatacenterWatch::start);
    }

    void stop() {
        watches.forEach(DatacenterWatch::stop);
    }

    public String consulService() {
        return consulService;
    }

    /** The current snapshot, if Consul answered at least once. */
    public Optional<Snapshot> snapshot() {
        return Optional.ofNullable(current);
    }

    /**
     * The instances of the current snapshot; before the first answer, waits for it up to the configured
     * first-snapshot-timeout rather than failing at once.
     */
    @Override
    public Uni<List<ServiceInstance>> getServiceInstances() {
        Snapshot snapshot = current;
        if (snapshot != null) {
            return Uni.createFrom().item(snapshot.instances());
        }
        // a copy: a caller that gives up cancels its stage, which must not cancel the first answer for others
        return Uni.createFrom().completionStage(first::copy)
                .ifNoItem().after(firstSnapshotTimeout).failWith(() -> new IllegalStateException(
                        "Consul has not answered about service '" + consulService + "' within " + firstSnapshotTimeout
                                + problems()))
                .map(Snapshot::instances);
    }

    private String problems() {
        String problems = String.join("; ", watches.stream().flatMap(watch -> watch.state().problem().stream())
                .toList());
        return problems.isEmpty() ? "" : ": " + problems;
    }

    /**
     * A watch has news. The first snapshot is the local datacenter's first answer, or, while the local one fails,
     * a failover datacenter's: calls need not wait for a datacenter that cannot answer.
     */
    private void onChange(DatacenterState changed) {
        Snapshot next;
        synchronized (combining) {
            List<DatacenterState> states = watches.stream().map(DatacenterWatch::state).toList();
            DatacenterState local = states.get(0);
            boolean ready = current != null || local.answeredAt().isPresent()
                    || local.problem().isPresent() && states.stream().anyMatch(s -> s.answeredAt().isPresent());
            if (!ready) {
                return;
            }
            next = new Snapshot(combined(states), states);
            current = next;
        }
        if (!first.isDone()) {
            LOG.debugf("First snapshot of '%s': %d instances", consulService, next.instances().size());
            first.complete(next);
        }
    }

    /**
     * The instances of every datacenter, local first; the same list object while none of them changed, and the
     * local watch's own list when there is no failover datacenter.
     */
    private List<ServiceInstance> combined(List<DatacenterState> states) {
        Snapshot previous = current;
        if (states.size() == 1) {
            return states.get(0).instances();
        }
        if (previous != null && sameInstances(previous.datacenters(), states)) {
            return previous.instances();
        }
        List<ServiceInstance> all = new ArrayList<>();
        states.forEach(state -> all.addAll(state.instances()));
        return List.copyOf(all);
    }

    private static boolean sameInstances(List<DatacenterState> before, List<DatacenterState> now) {
        for (int i = 0; i < now.size(); i++) {
            if (before.get(i).instances() != now.get(i).instances()) {
                return false;
            }
        }
        return true;
    }
}
