package com.example.fleet.discovery;

import io.smallrye.stork.api.MetadataKey;

/**
 * What a consul-watch instance carries besides host and port; its labels are the Consul service Meta. Keys that
 * mean what Stork's own Consul discovery carries have its names ({@code ConsulMetadataKey}).
 */
public enum ConsulWatchMetadataKey implements MetadataKey {
    /** The Consul service ID, unique per node. */
    SERVICE_ID("consul-service-id"),
    /** The Consul node the instance is registered on. */
    NODE("consul-service-node"),
    /** The address of that node. */
    NODE_ADDRESS("consul-service-node-address"),
    /** The Consul tags, a {@code List<String>}. */
    TAGS("tags"),
    /** Aggregated status of the instance's checks: passing or warning. */
    STATUS("status");

    private final String name;

    ConsulWatchMetadataKey(String name) {
        this.name = name;
    }

    @Override
    public String getName() {
        return name;
    }
}
