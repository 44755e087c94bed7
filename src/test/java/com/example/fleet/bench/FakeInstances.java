package com.example.fleet.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.example.fleet.testing.ConsulApi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Entries registered through the agent's HTTP API with no process behind them, shaped like the application's own
 * registration (tags, Meta, one TTL check sent as passing, deregister-critical-after 1m) so that Consul's answers
 * have the size real ones have. Their IDs ({@code <service>-fake-<port>}) cannot clash with a real instance's
 * ({@code <service>-<address>-<port>}); their ports (20000-29999) are below Linux's ephemeral range, so no real
 * instance on a random port listens there.
 */
final class FakeInstances {

    /** The environment fake entries publish (tag {@code env=bench}, Meta environment), unlike real ones (prod). */
    static final String ENVIRONMENT = "bench";
    static final int FIRST_PORT = 20_000;

    private static final int REGISTERING_THREADS = 4;

    private FakeInstances() {
    }

    static String id(String service, int port) {
        return service + "-fake-" + port;
    }

    static String checkId(String id) {
        return id + ":ttl";
    }

    /** The registration of one fake entry; {@code extraTags} lets a test change an entry's shape. */
    static JsonObject registration(String service, int port, Duration ttl, String... extraTags) {
        String id = id(service, port);
        JsonArray tags = new JsonArray().add("version=1.0.0-SNAPSHOT").add("env=" + ENVIRONMENT).add("weight=1");
        for (String tag : extraTags) {
            tags.add(tag);
        }
        return new JsonObject().put("ID", id).put("Name", service).put("Address", "127.0.0.1").put("Port", port)
                .put("Tags", tags)
                .put("Meta", new JsonObject().put("version", "1.0.0-SNAPSHOT").put("environment", ENVIRONMENT)
                        .put("weight", "1"))
                .put("Checks", new JsonArray().add(new JsonObject().put("CheckID", checkId(id))
                        .put("Name", "heartbeat of " + id).put("TTL", ttl.toMillis() + "ms").put("Status", "passing")
                        .put("DeregisterCriticalServiceAfter", "60s")));
    }

    /**
     * Registers {@code count} entries on ports {@code firstPort, firstPort + 1, ...}, a few at a time; returns their
     * IDs in port order.
     */
    static List<String> register(ConsulApi consul, String service, int firstPort, int count, Duration ttl) {
        if (firstPort < FIRST_PORT || firstPort + count > 30_000) {
            throw new IllegalArgumentException("fake ports stay within 20000-29999");
        }
        ExecutorService pool = Executors.newFixedThreadPool(REGISTERING_THREADS);
        try {
            List<Future<?>> pending = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int port = firstPort + i;
                ids.add(id(service, port));
                pending.add(pool.submit(() -> consul.register(registration(service, port, ttl))));
            }
            for (Future<?> registered : pending) {
                registered.get();
            }
            return ids;
        } catch (ExecutionException e) {
            throw new IllegalStateException("registering fake entries failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
