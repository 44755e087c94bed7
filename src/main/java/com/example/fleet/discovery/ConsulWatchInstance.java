package com.example.fleet.discovery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.consul.HealthEntry;

import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ConsulMetadataKey;
import io.smallrye.stork.impl.DefaultServiceInstance;

/**
 * An instance found by consul-watch. Its labels and metadata are what Stork's own Consul discovery gives: every
 * tag is a label key (with itself as value), and the metadata is a {@code Metadata<ConsulMetadataKey>} with the
 * service ID, node and node address, so code written for discovery type {@code consul} reads it unchanged. Stork's
 * metadata holds one key type only, so what Stork has no key for is here instead: the Consul Meta, the tags in
 * Consul's order and the check status.
 */
public final class ConsulWatchInstance extends DefaultServiceInstance {

    private final Map<String, String> meta;
    private final List<String> tags;
    private final String status;
    private final Optional<String> datacenter;
    private final int datacenterRank;

    /** An instance of the local datacenter. */
    public ConsulWatchInstance(long id, HealthEntry entry, boolean secure) {
        this(id, entry, secure, Optional.empty(), 0);
    }

    /**
     * @param secure whether it is called over TLS
     * @param datacenter the failover datacenter it was found in; empty for the local one
     * @param datacenterRank 0 for the local datacenter, then the failover datacenters' order from 1
     */
    public ConsulWatchInstance(long id, HealthEntry entry, boolean secure, Optional<String> datacenter,
            int datacenterRank) {
        super(id, entry.address(), entry.port(), Optional.empty(), secure, labels(entry.tags()), metadata(entry));
        this.meta = entry.meta();
        this.tags = entry.tags();
        this.status = entry.status().name().toLowerCase();
        this.datacenter = datacenter;
        this.datacenterRank = datacenterRank;
    }

    /** 0 for an instance of the local datacenter (and of any other discovery), else its failover rank from 1. */
    public static int datacenterRank(ServiceInstance instance) {
        return instance instanceof ConsulWatchInstance found ? found.datacenterRank : 0;
    }

    /** The failover datacenter it was found in; empty for the local one. */
    public Optional<String> datacenter() {
        return datacenter;
    }

    /** The zone it registered in (Meta {@code zone}), if any. */
    public static Optional<String> zoneOf(ServiceInstance instance) {
        return Optional.ofNullable(metaOrLabels(instance).get(HealthEntry.ZONE_META)).filter(zone -> !zone.isBlank());
    }

    /**
     * The Consul Meta of a consul-watch instance; for an instance of another discovery, its labels, where other
     * discoveries keep their key/value pairs.
     */
    public static Map<String, String> metaOrLabels(ServiceInstance instance) {
        return instance instanceof ConsulWatchInstance found ? found.meta() : instance.getLabels();
    }

    /** The service's Consul Meta. */
    public Map<String, String> meta() {
        return meta;
    }

    /** The service's Consul tags, in Consul's order. */
    public List<String> tags() {
        return tags;
    }

    /**
     * The aggregated status of its checks: passing, warning (with accept-warning), or critical (with
     * use-health-checks=false).
     */
    public String status() {
        return status;
    }

    /** As Stork's consul discovery: each tag maps to itself (a tag given twice is one label). */
    private static Map<String, String> labels(List<String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        tags.forEach(tag -> labels.put(tag, tag));
        return labels;
    }

    private static Metadata<ConsulMetadataKey> metadata(HealthEntry entry) {
        Metadata<ConsulMetadataKey> metadata = Metadata.of(ConsulMetadataKey.class)
                .with(ConsulMetadataKey.META_CONSUL_SERVICE_ID, entry.serviceId());
        if (entry.node() != null) {
            metadata = metadata.with(ConsulMetadataKey.META_CONSUL_SERVICE_NODE, entry.node());
        }
        if (entry.nodeAddress() != null) {
            metadata = metadata.with(ConsulMetadataKey.META_CONSUL_SERVICE_NODE_ADDRESS, entry.nodeAddress());
        }
        return metadata;
    }
}
