package com.example.fleet.calls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.stork.api.ServiceInstance;

/**
 * One round of tries of a call: a try and, when a hedge delay is given, a backup try on another instance once the
 * first has not ended within it. The first answer wins and the try still running is cancelled; a try that fails
 * leaves the round to the other, and the round fails once every try of it failed. A backup is asked for only
 * once, and may be refused (no instance left, no budget).
 */
final class TryRound {

    /** How one try ended: an answer (below 500), or the problem, with the instance and timeout it had. */
    record TryResult(ServiceInstance instance, Duration timeout, FleetAnswer answer, Throwable problem,
            boolean backup) {

        boolean answered() {
            return answer != null;
        }
    }

    /**
     * How the round ended.
     *
     * @param last the answer, or the last try that failed
     * @param tries the tries the round sent: 1, or 2 with a backup
     */
    record Outcome(TryResult last, int tries) {
    }

    private TryRound() {
    }

    /**
     * Runs {@code first}; after {@code hedgeAfter}, if it is still running, asks {@code backup} for a second try.
     * Neither Uni fails: each ends with its {@link TryResult}.
     */
    static Uni<Outcome> run(Uni<TryResult> first, Optional<Duration> hedgeAfter,
            Supplier<Optional<Uni<TryResult>>> backup, ScheduledExecutorService timers) {
        return Uni.createFrom().emitter(emitter -> {
            Round round = new Round(emitter);
            emitter.onTermination(round::cancelAll);
            round.start(first);
            hedgeAfter.ifPresent(delay -> round.schedule(Uni.createFrom().voidItem().onItem().delayIt()
                    .onExecutor(timers).by(delay).subscribe().with(ignored -> round.hedge(backup))));
        });
    }

    /** The state of one round; its tries end on any event-loop thread, so every step holds its lock. */
    private static final class Round {
        private final UniEmitter<? super Outcome> emitter;
        private final List<Cancellable> running = new ArrayList<>();
        private Cancellable timer;
        private int started;
        private int ended;
        private boolean backupAsked;
        private boolean done;

        Round(UniEmitter<? super Outcome> emitter) {
            this.emitter = emitter;
        }

        synchronized void start(Uni<TryResult> attempt) {
            if (done) {
                return;
            }
            started++;
            running.add(attempt.subscribe().with(this::ended));
        }

        synchronized void schedule(Cancellable hedgeTimer) {
            if (done) {
                hedgeTimer.cancel();
            } else {
                timer = hedgeTimer;
            }
        }

        /** Under the lock, so that a try ending meanwhile sees the backup running and leaves the round to it. */
        synchronized void hedge(Supplier<Optional<Uni<TryResult>>> backup) {
            if (done || backupAsked) {
                return;
            }
            backupAsked = true;
            backup.get().ifPresent(this::start);
        }

        private void ended(TryResult result) {
            int tries;
            synchronized (this) {
                if (done) {
                    return;
                }
                ended++;
                // a failure leaves the round to a try still running; the last one ends it, hedge timer or not
                if (!result.answered() && ended < started) {
                    return;
                }
                done = true;
                tries = started;
            }
            // its termination cancels the other try, if it runs, and the hedge timer (cancelAll)
            emitter.complete(new Outcome(result, tries));
        }

        /**
         * At the round's end, or when the call is cancelled: the hedge timer and the tries still running, which are
         * reset and reported as abandoned (an ended try ignores it).
         */
        void cancelAll() {
            List<Cancellable> all;
            synchronized (this) {
                done = true;
                all = new ArrayList<>(running);
                running.clear();
                if (timer != null) {
                    all.add(timer);
                }
            }
            all.forEach(Cancellable::cancel);
        }
    }
}
