package com.example.fleet.support;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;

/**
 * Mutiny's time-based operators (retry back-off, delays) wait on a {@link ScheduledExecutorService}; this one waits
 * on Vert.x timers, so that their delays, like every other timer of the application, run on the event loop and
 * hold no thread while they wait. Cancelling a delay cancels its timer. Only one-shot delays are offered; the event
 * loops belong to Vert.x, so there is nothing to shut down here.
 */
public final class VertxTimers extends AbstractExecutorService implements ScheduledExecutorService {

    private final Vertx vertx;

    public VertxTimers(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(Executors.callable(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        TimerTask<V> task = new TimerTask<>(callable, System.nanoTime() + unit.toNanos(delay));
        // Vert.x refuses timers under 1 ms
        task.timerId = vertx.setTimer(Math.max(1, unit.toMillis(delay)), id -> task.run());
        if (task.isCancelled()) {
            // cancelled before its timer existed
            vertx.cancelTimer(task.timerId);
        }
        return task;
    }

    @Override
    public void execute(Runnable command) {
        vertx.runOnContext(ignored -> command.run());
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("only one-shot delays run on Vert.x timers here");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("only one-shot delays run on Vert.x timers here");
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the event loops belong to Vert.x");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("the event loops belong to Vert.x");
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("the event loops belong to Vert.x");
    }

    /** A delayed task whose cancellation also cancels its Vert.x timer. */
    private final class TimerTask<V> extends FutureTask<V> implements ScheduledFuture<V> {

        private final long dueNanos;
        /** -1 until the timer exists. */
        private volatile long timerId = -1;

        TimerTask(Callable<V> callable, long dueNanos) {
            super(callable);
            this.dueNanos = dueNanos;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
            return cancelled;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
