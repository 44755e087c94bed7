package com.example.fleet.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

class VertxTimersTest {

    private final Vertx vertx = Vertx.vertx();
    private final VertxTimers timers = new VertxTimers(vertx);

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aDelayedTaskRunsOnAVertxEventLoop() {
        AtomicReference<String> thread = new AtomicReference<>();
        ScheduledFuture<?> task = timers.schedule(() -> thread.set(Thread.currentThread().getName()), 20,
                TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(task::isDone);
        assertThat(thread.get()).startsWith("vert.x-eventloop-thread");
    }

    @Test
    void aCancelledDelayNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> task = timers.schedule(runs::incrementAndGet, 200, TimeUnit.MILLISECONDS);
        assertThat(task.cancel(false)).isTrue();
        // well past the delay: a timer that was not cancelled would have run by then
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 0);
        assertThat(task.isCancelled()).isTrue();
    }
}
