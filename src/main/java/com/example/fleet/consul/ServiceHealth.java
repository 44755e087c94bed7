package com.example.fleet.consul;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.consul.ServiceQueryOptions;
import io.vertx.mutiny.ext.consul.ConsulClient;

/** Reads the instances of a service from {@code /v1/health/service/<name>}, as a blocking query or at once. */
public final class ServiceHealth {

    private ServiceHealth() {
    }

    /**
     * The service's entries once Consul's index passes {@code index} or the timing's wait ends; at once for index
     * 0. With {@code passingOnly}, Consul leaves out every entry that has a check not passing ({@code ?passing}).
     */
    public static Uni<BlockingQueryLoop.Answer<List<HealthEntry>>> read(ConsulClient client, String service,
            boolean passingOnly, long index, WatchTiming timing) {
        ServiceQueryOptions options = new ServiceQueryOptions().setBlockingOptions(
                new BlockingQueryOptions().setIndex(index).setWait(timing.waitParameter()));
        return client.healthServiceNodesWithOptions(service, passingOnly, options).map(list -> new BlockingQueryLoop.Answer<>(
                list.getList().stream().map(HealthEntry::of).toList(), list.getIndex()));
    }
}
