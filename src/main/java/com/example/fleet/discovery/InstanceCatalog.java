package com.example.fleet.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.consul.HealthEntry;

import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.utils.ServiceInstanceIds;

/**
 * Turns Consul entries into Stork instances that stay the same objects, with the same ids, as long as Consul
 * reports the same thing, so load-balancer statistics and requests holding them are not reset by updates.
 * Confined to the watch's Vert.x context.
 */
final class InstanceCatalog {

    /** What an instance is made of; a change creates a new object under the same id. */
    private record Shape(String host, int port, String nodeAddress, List<String> tags, Map<String, String> meta,
            String status, boolean secure) {
    }

    private record Known(Shape shape, ServiceInstance instance) {
    }

    private Map<String, Known> byConsulId = new HashMap<>();
    private List<ServiceInstance> current = List.of();

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
                known = new Known(shape, create(id, shape, entry));
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

    private static Shape shapeOf(HealthEntry entry) {
        return new Shape(entry.address(), entry.port(), entry.nodeAddress(), entry.tags(), entry.meta(),
                entry.status().name().toLowerCase(), "true".equalsIgnoreCase(entry.meta().get("secure")));
    }

    private static ServiceInstance create(long id, Shape shape, HealthEntry entry) {
        Metadata<ConsulWatchMetadataKey> metadata = Metadata.of(ConsulWatchMetadataKey.class)
                .with(ConsulWatchMetadataKey.SERVICE_ID, entry.serviceId())
                .with(ConsulWatchMetadataKey.NODE, entry.node())
                .with(ConsulWatchMetadataKey.TAGS, shape.tags())
                .with(ConsulWatchMetadataKey.STATUS, shape.status());
        if (shape.nodeAddress() != null) {
            metadata = metadata.with(ConsulWatchMetadataKey.NODE_ADDRESS, shape.nodeAddress());
        }
        return new DefaultServiceInstance(id, shape.host(), shape.port(), Optional.empty(), shape.secure(), shape.meta(),
                metadata);
    }
}
