package com.example.fleet.calls;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.example.fleet.support.VertxTimers;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.stork.Stork;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * The sample's calls to its fleet ({@code fleet.sample.target-service}): instances and picks come from Stork (so
 * from its discovery and load balancer, whichever are configured), tries and retries from {@link RetryingCaller},
 * with one retry budget for every call of this client.
 */
@ApplicationScoped
public class FleetCalls {

    @ConfigProperty(name = "fleet.sample.target-service")
    String target;

    @Inject
    CallSettings settings;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private HttpClient client;
    private RetryingCaller caller;

    /** At start, so that a setting out of range stops it. */
    void start(@Observes StartupEvent event) {
        CallSettingsCheck.requireValid(settings);
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setMaxPoolSize(settings.connectionsPerInstance()));
        caller = new RetryingCaller(target, new StorkSelector(target), client, settings,
                new RetryBudget(settings.retryBudget(), System::nanoTime), new CallMetrics(registry, target),
                System::nanoTime, new VertxTimers(vertx.getDelegate()));
    }

    /** An idempotent GET of {@code uri} on some instance, taking up to {@code extraTryTime} longer than a greeting. */
    public Uni<FleetAnswer> get(String uri, Duration extraTryTime) {
        return caller.send(FleetRequest.get(uri).withExtraTryTime(extraTryTime));
    }

    /**
     * From now on {@code observer} is told of every try of every call as it ends; {@link TryObserver#NONE} stops
     * that.
     */
    public void observeTries(TryObserver observer) {
        caller.observeTries(observer);
    }

    @PreDestroy
    void stop() {
        if (client != null) {
            client.closeAndAwait();
        }
    }

    /** Stork's service, looked up at each call: Stork is ready only once the application has started. */
    private record StorkSelector(String service) implements InstanceSelector {

        @Override
        public Uni<List<ServiceInstance>> instances() {
            return Stork.getInstance().getService(service).getInstances();
        }

        @Override
        public ServiceInstance selectAndRecordStart(Collection<ServiceInstance> candidates) {
            return Stork.getInstance().getService(service).selectInstanceAndRecordStart(candidates, true);
        }
    }
}
