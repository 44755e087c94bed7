package com.example.fleet.load;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Reads the current load of other instances from their {@link LoadEndpoint}, many at once: fresh numbers at the
 * moment a decision needs them, instead of numbers published into Consul that would churn its catalog.
 */
@ApplicationScoped
public class LoadReader {

    /** Reads in flight at once: enough to read a thousand instances within a short timeout, bounded sockets. */
    static final int PARALLEL_READS = 64;

    /** Where one instance answers its load. */
    public record Target(String host, int port, String path) {
    }

    private final HttpClient client;

    @Inject
    LoadReader(Vertx vertx) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    }

    /**
     * The load of each target that answered within {@code timeout} of this call; a target that did not (refused,
     * hung, answered something else) is absent from the result. Never fails.
     */
    public <K> Uni<Map<K, LoadNote>> read(Map<K, Target> targets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return Multi.createFrom().iterable(targets.entrySet())
                .onItem().transformToUni(target -> readOne(target.getValue(), deadline)
                        .map(load -> load.map(found -> Map.entry(target.getKey(), found))))
                .merge(PARALLEL_READS)
                .select().where(Optional::isPresent).map(Optional::get)
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private Uni<Optional<LoadNote>> readOne(Target target, long deadlineNanos) {
        Duration left = Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.host())
                .setPort(target.port()).setURI(target.path()).setConnectTimeout(left.toMillis() + 1);
        return client.request(request)
                .chain(sent -> sent.send())
                .chain(response -> response.statusCode() == 200 ? response.body()
                        : Uni.createFrom().failure(new IllegalStateException("HTTP " + response.statusCode())))
                .map(Buffer::toString)
                .map(LoadNote::parse)
                .ifNoItem().after(left).fail()
                .onFailure().recoverWithItem(Optional.empty());
    }

    @PreDestroy
    void close() {
        client.closeAndAwait();
    }
}
