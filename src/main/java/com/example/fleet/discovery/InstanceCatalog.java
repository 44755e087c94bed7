package com.example.fleet.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.utils.ServiceInstanceIds;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.Service;
import io.vertx.ext.consul.ServiceEntry;

/**
 * Turns Consul entries into Stork instances that stay the same objects, with the same ids, as long as Consul
 * reports the same thing, so load-balancer statistics and requests holding them are not reset by updates.
 * Confined to the watch's Vert.x context.
 */
final class InstanceCatalog {

    /** What an instance is made of; a change creates a new object under the same id. */
    private record Shape(String host, int port, List<String> tags, Map<String, String> meta, String status,
            boolean secure) {
    }

    private record Known(Shape shape, ServiceInstance instance) {
    }

    private Map<String, Known> byConsulId = new HashMap<>();

    /** The accepted entries as instances; entries no longer listed are forgotten. */
    List<ServiceInstance> update(List<ServiceEntry> accepted) {
        Map<String, Known> next = new HashMap<>();
        List<ServiceInstance> instances = new ArrayList<>(accepted.size());
        for (ServiceEntry entry : accepted) {
            String key = entry.getNode().getName() + "/" + entry.getService().getId();
            Shape shape = shapeOf(entry);
            Known known = byConsulId.get(key);
            if (known == null || !known.shape().equals(shape)) {
                long id = known == null ? ServiceInstanceIds.next() : known.instance().getId();
                known = new Known(shape, create(id, shape, entry));
            }
            next.put(key, known);
            instances.add(known.instance());
        }
        byConsulId = next;
        return instances;
    }

    /** Per instance id, the output of the entry's heartbeat (TTL) check, when it has one. */
    Map<Long, String> loadNotes(List<ServiceEntry> accepted) {
        Map<Long, String> notes = new HashMap<>();
        for (ServiceEntry entry : accepted) {
            Known known = byConsulId.get(entry.getNode().getName() + "/" + entry.getService().getId());
            Optional<String> note = Optional.ofNullable(entry.getChecks()).orElse(List.of()).stream()
                    .filter(check -> check.getId() != null && check.getId().endsWith(":ttl"))
                    .map(Check::getOutput).filter(output -> output != null && !output.isBlank()).findFirst();
            if (known != null && note.isPresent()) {
                notes.put(known.instance().getId(), note.get());
            }
        }
        return notes;
    }

    private static Shape shapeOf(ServiceEntry entry) {
        Service service = entry.getService();
        // Consul leaves the service address empty when it is the node's
        String host = service.getAddress() == null || service.getAddress().isBlank() ? entry.getNode().getAddress()
                : service.getAddress();
        Map<String, String> meta = Optional.ofNullable(service.getMeta()).orElse(Map.of());
        return new Shape(host, service.getPort(), List.copyOf(Optional.ofNullable(service.getTags()).orElse(List.of())),
                Map.copyOf(meta), InstanceFilter.status(entry).name().toLowerCase(),
                "true".equalsIgnoreCase(meta.get("secure")));
    }

    private static ServiceInstance create(long id, Shape shape, ServiceEntry entry) {
        Metadata<ConsulWatchMetadataKey> metadata = Metadata.of(ConsulWatchMetadataKey.class)
                .with(ConsulWatchMetadataKey.SERVICE_ID, entry.getService().getId())
                .with(ConsulWatchMetadataKey.NODE, entry.getNode().getName())
                .with(ConsulWatchMetadataKey.TAGS, shape.tags())
                .with(ConsulWatchMetadataKey.STATUS, shape.status());
        return new DefaultServiceInstance(id, shape.host(), shape.port(), Optional.empty(), shape.secure(), shape.meta(),
                metadata);
    }
}
