package com.example.fleet.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.consul.HealthEntry;

import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.utils.ServiceInstanceIds;
import io.vertx.ext.consul.CheckStatus;

/**
 * Turns Consul entries into Stork instances that stay the same objects, with the same ids, as long as Consul
 * reports the same thing, so load-balancer statistics and requests holding them are not reset by updates.
 * Confined to the watch's Vert.x context.
 */
final class InstanceCatalog {

    /** What an instance is made of besides its key; a change creates a new object under the same id. */
    private record Shape(String host, int port, String nodeAddress, List<String> tags,
            Map<String, String> meta, CheckStatus status, boolean secure) {
    }

    private record Known(Shape shape, ServiceInstance instance) {
    }

    /** Meta key with which an instance says it is called over TLS, unless the discovery's secure attribute decides. */
    static final String SECURE_META = "secure";

    private final Optional<Boolean> secure;
    private final Optional<String> datacenter;
    private final int rank;
    private Map<String, Known> byConsulId = new HashMap<>();
    private List<ServiceInstance> current = List.of();

    /**
     * @param secure TLS for every instance (true) or none (false); empty: each instance's Meta {@value #SECURE_META}
     * @param datacenter the failover datacenter whose catalog this is; empty for the local one
     * @param rank 0 for the local datacenter, then the failover datacenters' order from 1
     */
    InstanceCatalog(Optional<Boolean> secure, Optional<String> datacenter, int rank) {
        this.secure = secure;
        this.datacenter = datacenter;
        this.rank = rank;
    }

    /**
     * The accepted entries as instances; entries no longer listed are forgotten. When the answer changes no
     * instance (a wait that expired, a change elsewhere in the entries), the previous list itself comes back, so
     * the balancer keeps what it prepared for it.
     */
    List<ServiceInstance> update(List<HealthEntry> accepted) {
        Map<String, Known> next = new HashMap<>();
        List<ServiceInstance> instances = new ArrayList<>(accepted.size());
        boolean changed = accepted.size() != current.size();
        for (HealthEntry entry : accepted) {
            String key = key(entry);
            Shape shape = shapeOf(entry);
            Known known = byConsulId.get(key);
            if (known == null || !known.shape().equals(shape)) {
                long id = known == null ? ServiceInstanceIds.next() : known.instance().getId();
                known = new Known(shape, new ConsulWatchInstance(id, entry, shape.secure(), datacenter, rank));
            }
            next.put(key, known);
            changed |= instances.size() >= current.size() || current.get(instances.size()) != known.instance();
            instances.add(known.instance());
        }
        byConsulId = next;
        if (changed) {
            current = List.copyOf(instances);
        }
        return current;
    }

    /** Service IDs are unique per node only. */
    private static String key(HealthEntry entry) {
        return entry.node() + "/" + entry.serviceId();
    }

    private Shape shapeOf(HealthEntry entry) {
        return new Shape(entry.address(), entry.port(), entry.nodeAddress(), entry.tags(), entry.meta(),
                entry.status(), secure.orElseGet(() -> "true".equalsIgnoreCase(entry.meta().get(SECURE_META))));
    }
}
