package com.example.fleet.consul;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/** The one Consul client of the application, built from {@link ConsulSettings}. */
@ApplicationScoped
public class ConsulClientProducer {

    @Produces
    @Singleton
    ConsulClient consulClient(Vertx vertx, ConsulSettings settings) {
        ConsulAddress agent = settings.address();
        ConsulClientOptions options = new ConsulClientOptions()
                .setHost(agent.host())
                .setPort(agent.port())
                .setSsl(agent.https())
                .setTimeout(settings.requestTimeout().toMillis());
        // sent as X-Consul-Token on every request
        settings.token().ifPresent(options::setAclToken);
        return ConsulClient.create(vertx, options);
    }

    void close(@Disposes ConsulClient client) {
        client.close();
    }
}
