package com.example.fleet.calls;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.ServiceInstance;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Calls one target service: each try goes to an instance the balancer picks among those not tried yet for this
 * call, and is bounded by the per-try timeout (what is left of the call timeout, if less). A try that fails (no
 * connection, a reset, no answer in time, HTTP 5xx) is reported to the balancer as failed and, for an idempotent
 * call, retried on another instance while retries remain, the call has time left and the retry budget allows it.
 * Any other answer is the call's. Runs on the Vert.x event loop; nothing blocks.
 */
final class RetryingCaller {

    private final String service;
    private final InstanceSelector selector;
    private final HttpClient client;
    private final CallSettings settings;
    private final RetryBudget budget;
    private final CallMetrics metrics;
    private final LongSupplier nanoClock;
    private volatile TryObserver observer = TryObserver.NONE;

    RetryingCaller(String service, InstanceSelector selector, HttpClient client, CallSettings settings,
            RetryBudget budget, CallMetrics metrics, LongSupplier nanoClock) {
        this.service = service;
        this.selector = selector;
        this.client = client;
        this.settings = settings;
        this.budget = budget;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
    }

    /** From now on {@code observer} is told of every try as it ends; {@link TryObserver#NONE} stops that. */
    void observeTries(TryObserver observer) {
        this.observer = observer;
    }

    Uni<FleetAnswer> send(FleetRequest request) {
        metrics.calls.increment();
        budget.called();
        long deadline = nanoClock.getAsLong() + settings.callTimeout().toNanos();
        return attempt(request, new HashSet<>(), 1, deadline);
    }

    private Uni<FleetAnswer> attempt(FleetRequest request, Set<Long> tried, int number, long deadline) {
        return selector.instances().chain(all -> {
            // the first try hands the balancer discovery's own list: peak-ewma prepares its candidates once per list
            // object, so a copy per call would redo that work, O(instances), on every call
            List<ServiceInstance> untried = tried.isEmpty() ? all
                    : all.stream().filter(instance -> !tried.contains(instance.getId())).toList();
            if (untried.isEmpty()) {
                return Uni.createFrom().failure(new FleetCallFailed(service, number - 1, "no instance known",
                        all.isEmpty() ? "no instance of " + service + " is known" : "every instance was tried"));
            }
            ServiceInstance chosen = selector.selectAndRecordStart(untried);
            Duration tryTimeout = tryTimeout(request, deadline);
            long started = nanoClock.getAsLong();
            return exchange(chosen, request, tryTimeout).onItemOrFailure().transformToUni((answer, failure) -> {
                Throwable problem = failure != null ? failure
                        : answer.status() >= 500 ? new InstanceAnswered5xx(chosen.getHost(), chosen.getPort(),
                                answer.status()) : null;
                observer.tried(chosen, nanoClock.getAsLong() - started, problem == null);
                if (problem == null) {
                    chosen.recordReply();
                    chosen.recordEnd(null);
                    return Uni.createFrom().item(new FleetAnswer(answer.status(), answer.body(), chosen.getId(),
                            number));
                }
                chosen.recordEnd(problem);
                if (problem instanceof TimeoutException) {
                    metrics.triesTimedOut.increment();
                }
                tried.add(chosen.getId());
                String noRetry = whyNotRetry(request, number, tried, all, deadline);
                if (noRetry == null) {
                    metrics.retries.increment();
                    return attempt(request, tried, number + 1, deadline);
                }
                return Uni.createFrom().failure(new FleetCallFailed(service, number,
                        describe(problem, chosen, tryTimeout), noRetry));
            });
        });
    }

    /** Null when another try may go; otherwise why not. The budget is asked last: asking takes a retry from it. */
    private String whyNotRetry(FleetRequest request, int number, Set<Long> tried, List<ServiceInstance> all,
            long deadline) {
        if (!request.idempotent()) {
            return request.method() + " is not idempotent";
        }
        if (number > settings.maxRetries()) {
            return "fleet.calls.max-retries (" + settings.maxRetries() + ") reached";
        }
        if (all.stream().allMatch(instance -> tried.contains(instance.getId()))) {
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

    /** What one instance answered; a try that gets no first byte within {@code timeout} fails and its stream ends. */
    private Uni<FleetAnswer> exchange(ServiceInstance instance, FleetRequest request, Duration timeout) {
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(instance.getHost())
                .setPort(instance.getPort()).setSsl(instance.isSecure()).setURI(request.uri())
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        return client.request(options)
                .chain(sent -> sent.send())
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
