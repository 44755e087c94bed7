package com.example.fleet.discovery;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.example.fleet.consul.HealthEntry;
import com.example.fleet.discovery.InstanceFilter.Health;

import io.smallrye.stork.api.ServiceInstance;

/**
 * For the scale benchmark: what {@link ConsulWatchServiceDiscovery} does with one answer of Consul, without the
 * watch around it: filter the entries (the default client filter: passing only, no tags, no Meta), turn them into
 * instances with an {@link InstanceCatalog} that keeps the unchanged ones, build the {@link Snapshot} and swap it
 * in. Lives in the discovery package because the catalog and the filter are package-private. Not thread-safe, like
 * the watch's own context.
 */
public final class SnapshotCost {

    private final InstanceFilter filter = InstanceFilter.parse(Health.PASSING, "", "", "benchmark");
    private final InstanceCatalog catalog = new InstanceCatalog(Optional.empty(), Optional.empty(), 0);
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private DatacenterState local = DatacenterState.unanswered(Optional.empty(), 0);

    /** Applies one answer as the watch does; returns the snapshot it swapped out (null the first time). */
    public Snapshot apply(List<HealthEntry> answer, long index) {
        List<HealthEntry> accepted = answer.stream().filter(filter::accepts).toList();
        local = local.answered(catalog.update(accepted), index);
        return current.getAndSet(new Snapshot(local.instances(), List.of(local)));
    }

    /** The snapshot in force. */
    public Snapshot current() {
        return current.get();
    }

    /** The catalog, as an opaque root for measuring what it retains besides the snapshot. */
    public Object catalog() {
        return catalog;
    }

    /** How many instances of {@code next} are the very same objects as in {@code previous}. */
    public static int reused(Snapshot previous, Snapshot next) {
        if (previous == null) {
            return 0;
        }
        Set<ServiceInstance> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(previous.instances());
        return (int) next.instances().stream().filter(before::contains).count();
    }
}
