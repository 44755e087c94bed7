package com.example.fleet.discovery;

import java.time.Duration;
import java.util.function.Consumer;

import com.example.fleet.consul.Backoff;

import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.consul.ServiceEntryList;
import io.vertx.ext.consul.ServiceQueryOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * One blocking-query loop on {@code /v1/health/service/<name>}, following Consul's index rules (the Vert.x
 * {@code Watch} does not): the index is reset when it goes backwards and after any error, never used below 1,
 * consecutive queries are spaced by a minimum interval because a blocking query may return at once, and
 * errors are retried with capped backoff and jitter.
 * <p>
 * Everything runs on the Vert.x context of the client; the loop state is confined to it.
 */
final class HealthWatch {

    private final ConsulClient client;
    private final Vertx vertx;
    private final String service;
    private final boolean passingOnly;
    private final String wait;
    private final long minIntervalNanos;
    private final Backoff backoff;
    private final Consumer<ServiceEntryList> onAnswer;
    private final Consumer<Throwable> onFailure;

    private volatile boolean stopped;
    private volatile long timer = -1;
    private long index;
    private int failures;
    private long startedNanos;

    HealthWatch(ConsulClient client, Vertx vertx, String service, boolean passingOnly, Duration wait,
            Duration minInterval, Backoff backoff, Consumer<ServiceEntryList> onAnswer, Consumer<Throwable> onFailure) {
        this.client = client;
        this.vertx = vertx;
        this.service = service;
        this.passingOnly = passingOnly;
        this.wait = wait.toMillis() + "ms";
        this.minIntervalNanos = minInterval.toNanos();
        this.backoff = backoff;
        this.onAnswer = onAnswer;
        this.onFailure = onFailure;
    }

    void start() {
        vertx.runOnContext(this::query);
    }

    /** Stops the loop; the query in flight is abandoned when the caller closes the client. */
    void stop() {
        stopped = true;
        long pending = timer;
        if (pending >= 0) {
            vertx.cancelTimer(pending);
        }
    }

    /**
     * The index for the next query: reset to 0 (a non-blocking read of the current state) when Consul's index
     * went backwards, as after an agent restart, and never below 1 otherwise, since 0 would not block.
     */
    static long nextIndex(long previous, long returned) {
        if (returned < previous) {
            return 0;
        }
        return Math.max(1, returned);
    }

    private void query() {
        if (stopped) {
            return;
        }
        startedNanos = System.nanoTime();
        ServiceQueryOptions options = new ServiceQueryOptions()
                .setBlockingOptions(new BlockingQueryOptions().setIndex(index).setWait(wait));
        client.healthServiceNodesWithOptions(service, passingOnly, options).subscribe().with(this::answered,
                this::failed);
    }

    private void answered(ServiceEntryList answer) {
        if (stopped) {
            return;
        }
        failures = 0;
        index = nextIndex(index, answer.getIndex());
        onAnswer.accept(answer);
        long pause = minIntervalNanos - (System.nanoTime() - startedNanos);
        if (pause > 0) {
            schedule(Duration.ofNanos(pause));
        } else {
            query();
        }
    }

    private void failed(Throwable failure) {
        if (stopped) {
            return;
        }
        // an index from before the error may belong to a restarted agent and block for the whole wait
        index = 0;
        failures++;
        onFailure.accept(failure);
        schedule(backoff.delay(failures));
    }

    private void schedule(Duration delay) {
        timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
            timer = -1;
            query();
        });
        if (stopped) {
            vertx.cancelTimer(timer);
        }
    }
}
