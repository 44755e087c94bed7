package com.example.fleet.consul;

import java.util.function.Consumer;
import java.util.function.LongFunction;

import com.example.fleet.support.VertxTimers;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Context;
import io.vertx.mutiny.core.Vertx;

/**
 * A Consul blocking-query loop that follows Consul's index rules (the Vert.x {@code Watch} does not): the index is
 * reset when it goes backwards and after any error, never used below 1, consecutive queries are spaced by a
 * minimum interval because a blocking query may return at once, and errors are retried with capped exponential
 * backoff and jitter.
 * <p>
 * Queries are sent from Vert.x event loops and every wait between them is a Vert.x timer: the loop holds no thread.
 *
 * @param <T> what one answer carries
 */
public final class BlockingQueryLoop<T> {

    /** One answer of Consul and the X-Consul-Index it came with. */
    public record Answer<T>(T value, long index) {
    }

    private final Context context;
    private final VertxTimers timers;
    private final LongFunction<Uni<Answer<T>>> query;
    private final WatchTiming timing;
    private final Consumer<Answer<T>> onAnswer;
    private final Consumer<Throwable> onFailure;

    private volatile boolean stopped;
    private volatile Cancellable inFlight;
    private volatile long timer = -1;
    private volatile long index;

    /**
     * @param query sends one query with the given index and the timing's wait, on a client whose read timeout is
     *        at least {@link WatchTiming#readTimeout()}
     */
    public BlockingQueryLoop(Vertx vertx, LongFunction<Uni<Answer<T>>> query, WatchTiming timing,
            Consumer<Answer<T>> onAnswer, Consumer<Throwable> onFailure) {
        this.context = vertx.getOrCreateContext();
        this.timers = new VertxTimers(vertx.getDelegate());
        this.query = query;
        this.timing = timing;
        this.onAnswer = onAnswer;
        this.onFailure = onFailure;
    }

    public void start() {
        context.runOnContext(this::next);
    }

    /** Stops the loop: a pending retry or pause is cancelled, an answer still on its way is ignored. */
    public void stop() {
        stopped = true;
        Cancellable pending = inFlight;
        if (pending != null) {
            pending.cancel();
        }
        context.runOnContext(() -> {
            if (timer >= 0) {
                context.owner().cancelTimer(timer);
            }
        });
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

    private void next() {
        if (stopped) {
            return;
        }
        long startedNanos = System.nanoTime();
        // each retry subscribes again, so it reads the index the failure reset; it waits on a Vert.x timer
        inFlight = Uni.createFrom().deferred(() -> query.apply(index))
                .onFailure().invoke(this::failed)
                .onFailure(failure -> !stopped).retry()
                .withBackOff(timing.firstRetry(), timing.retryMaxDelay()).withJitter(0.5).withExecutor(timers)
                .indefinitely()
                .subscribe().with(answer -> answered(answer, startedNanos), failure -> {
                    // only a stopped loop ends here
                });
    }

    private void failed(Throwable failure) {
        if (stopped) {
            return;
        }
        // an index from before the error may belong to a restarted agent and block for the whole wait
        index = 0;
        onFailure.accept(failure);
    }

    private void answered(Answer<T> answer, long startedNanos) {
        if (stopped) {
            return;
        }
        index = nextIndex(index, answer.index());
        onAnswer.accept(answer);
        long pauseMillis = (timing.minInterval().toNanos() - (System.nanoTime() - startedNanos)) / 1_000_000;
        context.runOnContext(() -> {
            if (pauseMillis > 0) {
                timer = context.owner().setTimer(pauseMillis, id -> {
                    timer = -1;
                    next();
                });
            } else {
                next();
            }
        });
    }
}
