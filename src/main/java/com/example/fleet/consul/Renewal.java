package com.example.fleet.consul;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.vertx.core.Vertx;

/**
 * The current one of a client made from credentials that change (the ACL token, the TLS material): made anew after
 * each change for the requests that follow, while the one it replaces is closed once the requests it still carries
 * have had their timeout.
 */
final class Renewal<T> {

    private final Vertx vertx;
    private final Supplier<T> make;
    private final Consumer<T> close;
    private final Duration drain;
    private final Runnable stopFollowing;
    private volatile T current;
    private boolean closed;

    /**
     * @param follow subscribes a listener to every change of what {@code make} reads, answering its removal
     * @param requestTimeout the longest a request takes: a replaced client lives that long, and a second more
     */
    Renewal(Vertx vertx, Supplier<T> make, Consumer<T> close, Duration requestTimeout,
            Function<Runnable, Runnable> follow) {
        this.vertx = vertx;
        this.make = make;
        this.close = close;
        this.drain = requestTimeout.plusSeconds(1);
        this.current = make.get();
        this.stopFollowing = follow.apply(this::renew);
    }

    T current() {
        return current;
    }

    /** Stops following and closes the current one; one replaced before closes on its own timer. */
    synchronized void close() {
        closed = true;
        stopFollowing.run();
        close.accept(current);
    }

    private synchronized void renew() {
        if (closed) {
            return;
        }
        T old = current;
        current = make.get();
        vertx.setTimer(drain.toMillis(), id -> close.accept(old));
    }
}
