package com.example.fleet.consul;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * A Consul blocking-query loop that follows Consul's index rules (the Vert.x {@code Watch} does not): the index is
 * reset when it goes backwards and after any error, never used below 1, consecutive queries are spaced by a
 * minimum interval because a blocking query may return at once, and errors are retried with capped backoff and
 * jitter.
 * <p>
 * The query runs on the Vert.x context the loop starts on; its state is confined to it.
 *
 * @param <T> what one answer carries
 */
public final class BlockingQueryLoop<T> {

    /** One answer of Consul and the X-Consul-Index it came with. */
    public record Answer<T>(T value, long index) {
    }

    private final Vertx vertx;
    private final LongFunction<Uni<Answer<T>>> query;
    private final long minIntervalNanos;
    private final Backoff backoff;
    private final Consumer<T> onAnswer;
    private final Consumer<Throwable> onFailure;

    private volatile boolean stopped;
    private volatile long timer = -1;
    private long index;
    private int failures;
    private long startedNanos;

    /**
     * @param query sends one query with the given index; the caller adds its wait, whose read timeout must exceed
     *        wait + wait/16
     */
    public BlockingQueryLoop(Vertx vertx, LongFunction<Uni<Answer<T>>> query, Duration minInterval, Backoff backoff,
            Consumer<T> onAnswer, Consumer<Throwable> onFailure) {
        this.vertx = vertx;
        this.query = query;
        this.minIntervalNanos = minInterval.toNanos();
        this.backoff = backoff;
        this.onAnswer = onAnswer;
        this.onFailure = onFailure;
    }

    public void start() {
        vertx.runOnContext(this::query);
    }

    /** Stops the loop; the query in flight is abandoned when the caller closes its client. */
    public void stop() {
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
    public static long nextIndex(long previous, long returned) {
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
        query.apply(index).subscribe().with(this::answered, this::failed);
    }

    private void answered(Answer<T> answer) {
        if (stopped) {
            return;
        }
        failures = 0;
        index = nextIndex(index, answer.index());
        onAnswer.accept(answer.value());
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
