package com.example.fleet.calls;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import com.example.fleet.calls.TryRound.TryResult;
import com.example.fleet.support.ProbeCall;

import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Calls one target service: each try goes to an instance the balancer picks among those not tried yet for this
 * call, and is bounded by the per-try timeout (what is left of the call timeout, if less). An idempotent call's try
 * that has not answered within the hedge delay gets a backup try on another instance ({@link TryRound}); the first
 * answer wins and the other try is cancelled, which the balancer hears as abandoned. A try that fails (no
 * connection, a reset, no answer in time, HTTP 5xx) is reported to the balancer as failed and, for an idempotent
 * call, retried on another instance while retries remain, the call has time left and the retry budget allows it.
 * Backups take from the retry budget. Any other answer is the call's. Runs on the Vert.x event loop; nothing blocks.
 */
final class RetryingCaller {

    private final String service;
    private final InstanceSelector selector;
    private final HttpClient client;
    private final CallSettings settings;
    private final RetryBudget budget;
    private final CallMetrics metrics;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService timers;
    private final AnswerTimes answerTimes;
    private volatile TryObserver observer = TryObserver.NONE;

    RetryingCaller(String service, InstanceSelector selector, HttpClient client, CallSettings settings,
            RetryBudget budget, CallMetrics metrics, LongSupplier nanoClock, ScheduledExecutorService timers) {
        this.service = service;
        this.selector = selector;
        this.client = client;
        this.settings = settings;
        this.budget = budget;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.timers = timers;
        this.answerTimes = new AnswerTimes(settings.hedge().percentile());
    }

    /** From now on {@code observer} is told of every try as it ends; {@link TryObserver#NONE} stops that. */
    void observeTries(TryObserver observer) {
        this.observer = observer;
    }

    Uni<FleetAnswer> send(FleetRequest request) {
        metrics.calls.increment();
        budget.called();
        long deadline = nanoClock.getAsLong() + settings.callTimeout().toNanos();
        return round(request, new TriedInstances(), 1, 0, deadline);
    }

    /**
     * Round {@code round} of a call, {@code sentBefore} tries after its start: a try, and maybe its backup. A backup
     * is no retry: it takes from the retry budget, but every failed round leaves the call its {@code max-retries},
     * so that a lost level of instances, where a try and its backup both fail, still leaves a retry for the next
     * level.
     */
    private Uni<FleetAnswer> round(FleetRequest request, TriedInstances tried, int round, int sentBefore,
            long deadline) {
        return selector.instances().chain(all -> {
            // the first try hands the balancer discovery's own list: peak-ewma prepares its candidates once per list
            // object, so a copy per call would redo that work, O(instances), on every call
            List<ServiceInstance> untried = tried.none() ? all : tried.untried(all);
            if (untried.isEmpty()) {
                return Uni.createFrom().failure(new FleetCallFailed(service, sentBefore, "no instance known",
                        all.isEmpty() ? "no instance of " + service + " is known" : "every instance was tried"));
            }
            ServiceInstance chosen = selector.selectAndRecordStart(untried);
            tried.add(chosen);
            Uni<TryResult> first = oneTry(chosen, request, tryTimeout(request, deadline), false);
            return TryRound.run(first, hedgeDelay(request), () -> backup(request, tried, all, round, deadline),
                    timers).chain(outcome -> {
                        TryResult last = outcome.last();
                        int sent = sentBefore + outcome.tries();
                        if (last.answered()) {
                            if (last.backup()) {
                                metrics.hedgesWon.increment();
                            }
                            FleetAnswer answer = last.answer();
                            return Uni.createFrom().item(new FleetAnswer(answer.status(), answer.body(),
                                    answer.instanceId(), sent));
                        }
                        String noRetry = whyNotRetry(request, round, tried, all, deadline, last);
                        if (noRetry == null) {
                            metrics.retries.increment();
                            return round(request, tried, round + 1, sent, deadline);
                        }
                        return Uni.createFrom().failure(new FleetCallFailed(service, sent,
                                describe(last.problem(), last.instance(), last.timeout()), noRetry,
                                tried.describe(all)));
                    });
        });
    }

    /**
     * One try on {@code chosen}, whose end the balancer hears: answered, failed, or, when the round cancels it
     * because another try answered first, abandoned (a {@link CancellationException}); a probe is never abandoned.
     */
    private Uni<TryResult> oneTry(ServiceInstance chosen, FleetRequest request, Duration timeout, boolean backup) {
        Uni<TryResult> tried = recorded(chosen, request, timeout, backup);
        if (chosen instanceof ProbeCall call && call.isProbe()) {
            // a probe runs to its end (see ProbeCall): cancelling the round's copy of its result leaves it running
            CompletableFuture<TryResult> running = tried.subscribeAsCompletionStage();
            return Uni.createFrom().completionStage(() -> running.thenApply(result -> result));
        }
        return tried.onCancellation().invoke(() -> chosen.recordEnd(new CancellationException(
                "another try of the same call answered first")));
    }

    /** One try on {@code chosen}, its end recorded for the balancer, unless it is cancelled. */
    private Uni<TryResult> recorded(ServiceInstance chosen, FleetRequest request, Duration timeout, boolean backup) {
        long started = nanoClock.getAsLong();
        return exchange(chosen, request, timeout).onItemOrFailure().transform((answer, failure) -> {
            Throwable problem = failure != null ? failure
                    : answer.status() >= 500 ? new InstanceAnswered5xx(chosen.getHost(), chosen.getPort(),
                            answer.status()) : null;
            long took = nanoClock.getAsLong() - started;
            observer.tried(chosen, took, problem == null);
            if (problem == null) {
                chosen.recordReply();
                chosen.recordEnd(null);
                answerTimes.record(took);
                return new TryResult(chosen, timeout, answer, null, backup);
            }
            chosen.recordEnd(problem);
            if (problem instanceof TimeoutException) {
                metrics.triesTimedOut.increment();
            }
            return new TryResult(chosen, timeout, null, problem, backup);
        });
    }

    /**
     * The backup of round {@code round}, on an instance not tried yet, if retries remain and the budget allows one;
     * asked once the round's first try has not ended within the hedge delay.
     */
    private Optional<Uni<TryResult>> backup(FleetRequest request, TriedInstances tried, List<ServiceInstance> all,
            int round, long deadline) {
        List<ServiceInstance> untried = tried.untried(all);
        if (untried.isEmpty() || round > settings.maxRetries() || deadline - nanoClock.getAsLong() <= 0) {
            return Optional.empty();
        }
        if (!budget.tryRetry()) {
            metrics.hedgesRefusedByBudget.increment();
            return Optional.empty();
        }
        metrics.hedges.increment();
        ServiceInstance chosen = selector.selectAndRecordStart(untried);
        tried.add(chosen);
        return Optional.of(oneTry(chosen, request, tryTimeout(request, deadline), true));
    }

    /**
     * After how long a try of {@code request} gets a backup: the configured percentile of recent answer times,
     * at least the minimum delay, plus the work the call asks for. None for a call that may not be repeated, or
     * before enough answers were timed.
     */
    private Optional<Duration> hedgeDelay(FleetRequest request) {
        CallSettings.HedgeSettings hedge = settings.hedge();
        if (!hedge.enabled() || !request.idempotent()) {
            return Optional.empty();
        }
        return answerTimes.percentileNanos().stream().mapToObj(Duration::ofNanos)
                .map(typical -> (typical.compareTo(hedge.minDelay()) > 0 ? typical : hedge.minDelay())
                        .plus(request.extraTryTime()))
                .findFirst();
    }

    /**
     * Null when another try may go; otherwise why not. The budget is asked last: asking takes a retry from it. When
     * every instance was tried and the last try's connection closed under it (a kept-alive connection the instance,
     * or something on the way, closed as the request went out), that instance may take the retry over a new
     * connection: with a single instance left, a closed connection would otherwise fail the call.
     */
    private String whyNotRetry(FleetRequest request, int round, TriedInstances tried, List<ServiceInstance> all,
            long deadline, TryResult last) {
        if (!request.idempotent()) {
            return request.method() + " is not idempotent";
        }
        if (round > settings.maxRetries()) {
            return "fleet.calls.max-retries (" + settings.maxRetries() + ") reached";
        }
        if (tried.all(all) && !(last.problem() instanceof HttpClosedException && tried.tryAgain(last.instance()))) {
            return "every known instance was tried";
        }
        if (deadline - nanoClock.getAsLong() <= 0) {
            return "fleet.calls.call-timeout (" + settings.callTimeout() + ") passed";
        }
        if (!budget.tryRetry()) {
            metrics.retriesRefusedByBudget.increment();
            return "the retry budget of " + service + " is spent (fleet.calls.retry-budget.*)";
        }
        return null;
    }

    private Duration tryTimeout(FleetRequest request, long deadline) {
        Duration perTry = settings.perTryTimeout().plus(request.extraTryTime());
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - nanoClock.getAsLong()));
        return perTry.compareTo(left) < 0 ? perTry : left;
    }

    /**
     * What one instance answered; a try that gets no first byte within {@code timeout} fails and its stream ends,
     * and one cancelled because another try answered first is reset.
     */
    private Uni<FleetAnswer> exchange(ServiceInstance instance, FleetRequest request, Duration timeout) {
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(instance.getHost())
                .setPort(instance.getPort()).setSsl(instance.isSecure()).setURI(request.uri())
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        return client.request(options)
                .chain(sent -> sent.send().onCancellation().invoke(() -> sent.reset()))
                .chain(response -> response.body().map(body -> new FleetAnswer(response.statusCode(),
                        body.toString(), instance.getId(), 0)))
                // the idle timeout covers a silent instance; this also covers a wait for a pooled connection
                .ifNoItem().after(timeout.plusMillis(100))
                .failWith(() -> new TimeoutException("no answer within " + timeout));
    }

    private static String describe(Throwable problem, ServiceInstance instance, Duration tryTimeout) {
        String where = instance.getHost() + ":" + instance.getPort();
        if (problem instanceof InstanceAnswered5xx) {
            return problem.getMessage();
        }
        if (problem instanceof TimeoutException || String.valueOf(problem.getMessage()).contains("timeout")) {
            return where + " gave no answer within the per-try timeout of " + tryTimeout;
        }
        return where + ": " + problem;
    }
}
