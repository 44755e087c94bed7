package com.example.fleet.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.example.fleet.support.ProbeCall;
import com.example.fleet.support.VertxTimers;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.impl.ServiceInstanceWithStatGathering;
import io.smallrye.stork.spi.CallStatisticsCollector;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpServer;

/**
 * The caller against real HTTP servers on loopback standing for instances: one that answers, one that answers 503,
 * one that accepts and never answers. The balancer here picks the first candidate it is offered, so a retry can
 * only reach another instance if the caller leaves the failed one out.
 */
class RetryingCallerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** What the balancer was offered, try after try. */
    private final List<Collection<ServiceInstance>> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The list discovery hands out, the same object at every call. */
    private volatile List<ServiceInstance> discovered;
    /** How each try's end was reported to the balancer: "id answered" or "id" and the error's class. */
    private final List<String> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Connections of the hanging instance that its clients closed. */
    private final AtomicInteger hangingClosed = new AtomicInteger();
    /** The instances whose calls the balancer marks as probes. */
    private final Set<Long> probed = ConcurrentHashMap.newKeySet();
    private HttpClient client;
    private ServiceInstance ok;
    private ServiceInstance failing;
    private ServiceInstance hanging;

    @BeforeEach
    void instances() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
        ok = instance(1, request -> request.response().putHeader("content-type", "application/json")
                .end("{\"message\":\"hello\"}"));
        failing = instance(2, request -> request.response().setStatusCode(503).end("injected"));
        hanging = instance(3, request -> {
            // accepts and never answers; counts the connections its clients close
            request.connection().closeHandler(closed -> hangingClosed.incrementAndGet());
        });
    }

    @AfterEach
    void stop() {
        client.closeAndAwait();
        servers.forEach(HttpServer::closeAndAwait);
        vertx.closeAndAwait();
    }

    private ServiceInstance instance(long id, io.vertx.core.Handler<HttpServerRequest> handler) {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            received.computeIfAbsent(request.localAddress().port(), p -> new AtomicInteger()).incrementAndGet();
            handler.handle(request.getDelegate());
        }).listenAndAwait(0, "127.0.0.1");
        servers.add(server);
        return new DefaultServiceInstance(id, "127.0.0.1", server.actualPort(), false, Map.of(), Metadata.empty());
    }

    private int received(ServiceInstance instance) {
        return received.getOrDefault(instance.getPort(), new AtomicInteger()).get();
    }

    /** A caller of the instances, discovered in this order (a test may change {@link #discovered} later). */
    private RetryingCaller caller(TestCallSettings settings, ServiceInstance... instances) {
        discovered = List.of(instances);
        InstanceSelector firstOffered = new InstanceSelector() {
            @Override
            public Uni<List<ServiceInstance>> instances() {
                return Uni.createFrom().item(() -> discovered);
            }

            @Override
            public ServiceInstance selectAndRecordStart(Collection<ServiceInstance> candidates) {
                offered.add(candidates);
                ServiceInstance chosen = candidates.iterator().next();
                CallStatisticsCollector recorder = new CallStatisticsCollector() {
                    @Override
                    public void recordEnd(long serviceInstanceId, Throwable error) {
                        ended.add(chosen.getId() + " " + (error == null ? "answered"
                                : error instanceof TimeoutException ? "timed out"
                                        : error.getClass().getSimpleName()));
                    }
                };
                return probed.contains(chosen.getId()) ? new Probe(chosen, recorder)
                        : new ServiceInstanceWithStatGathering(chosen, recorder);
            }
        };
        return new RetryingCaller("fleet-service", firstOffered, client, settings,
                new RetryBudget(settings.retryBudget(), System::nanoTime), new CallMetrics(registry, "fleet-service"),
                System::nanoTime, new VertxTimers(vertx.getDelegate()));
    }

    /** A selected instance whose call the balancer marks as a probe. */
    private static final class Probe extends ServiceInstanceWithStatGathering implements ProbeCall {

        Probe(ServiceInstance instance, CallStatisticsCollector recorder) {
            super(instance, recorder);
        }

        @Override
        public boolean isProbe() {
            return true;
        }
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void aFailedTryGoesToAnotherInstance() {
        FleetAnswer answer = caller(TestCallSettings.defaults(), failing, ok).send(FleetRequest.get("/api/hello"))
                .await().atMost(WAIT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.instanceId()).isEqualTo(ok.getId());
        assertThat(answer.attempts()).isEqualTo(2);
        assertThat(received(failing)).isEqualTo(1);
        assertThat(counter("fleet.calls.retries")).isEqualTo(1);
    }

    @Test
    void theFirstTryOffersTheBalancerDiscoverysOwnListAndARetryOnlyTheUntried() {
        caller(TestCallSettings.defaults(), failing, ok).send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(offered).hasSize(2);
        // the same object: a balancer that prepares its candidates per list must not redo that on every call
        assertThat(offered.get(0)).isSameAs(discovered);
        assertThat(offered.get(1)).containsExactly(ok);
    }

    @Test
    void anInstanceThatNeverAnswersCostsOnePerTryTimeoutThenTheCallGoesElsewhere() {
        TestCallSettings settings = TestCallSettings.defaults().withPerTryTimeout(Duration.ofMillis(300));

        FleetAnswer answer = caller(settings, hanging, ok).send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(answer.instanceId()).isEqualTo(ok.getId());
        assertThat(counter("fleet.calls.tries.timed.out")).isEqualTo(1);
    }

    @Test
    void workAskedForGetsItsDurationOnTopOfThePerTryTimeout() {
        ServiceInstance slow = instance(4, request -> vertx.setTimer(600, t -> request.response().end("{}")));
        TestCallSettings settings = TestCallSettings.defaults().withPerTryTimeout(Duration.ofMillis(300));

        FleetAnswer answer = caller(settings, slow).send(FleetRequest.get("/api/work?millis=600")
                .withExtraTryTime(Duration.ofMillis(600))).await().atMost(WAIT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.attempts()).isEqualTo(1);
    }

    @Test
    void aNonIdempotentCallIsNeverRetried() {
        FleetRequest post = new FleetRequest(HttpMethod.POST, "/api/orders", false, Duration.ZERO);

        FleetCallFailed failure = catchThrowableOfType(
                () -> caller(TestCallSettings.defaults(), failing, ok).send(post).await().atMost(WAIT),
                FleetCallFailed.class);

        assertThat(failure.attempts()).isEqualTo(1);
        assertThat(failure).hasMessageContaining("answered HTTP 503").hasMessageContaining("POST is not idempotent");
        assertThat(received(ok)).isZero();
    }

    @Test
    void withOneInstanceThereIsNoOtherToRetryOn() {
        FleetCallFailed failure = catchThrowableOfType(
                () -> caller(TestCallSettings.defaults(), failing).send(FleetRequest.get("/api/hello")).await()
                        .atMost(WAIT), FleetCallFailed.class);

        assertThat(failure.attempts()).isEqualTo(1);
        assertThat(failure).hasMessageContaining("every known instance was tried");
    }

    @Test
    void aConnectionClosedUnderTheTryOfTheOnlyInstanceGetsOneTryMoreOverANewConnection() {
        AtomicInteger requests = new AtomicInteger();
        // closes the connection of its first request instead of answering, as a kept-alive connection closed just
        // as a request goes out; answers the next
        ServiceInstance closingOnce = instance(7, request -> {
            if (requests.incrementAndGet() == 1) {
                request.connection().close();
            } else {
                request.response().end("{}");
            }
        });

        FleetAnswer answer = caller(TestCallSettings.defaults(), closingOnce).send(FleetRequest.get("/api/hello"))
                .await().atMost(WAIT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.attempts()).isEqualTo(2);
        assertThat(ended).containsExactly("7 HttpClosedException", "7 answered");
    }

    @Test
    void anInstanceThatClosesEveryConnectionCostsOneTryMoreNotALoop() {
        ServiceInstance closing = instance(8, request -> request.connection().close());

        FleetCallFailed failure = catchThrowableOfType(
                () -> caller(TestCallSettings.defaults().withMaxRetries(5), closing)
                        .send(FleetRequest.get("/api/hello")).await().atMost(WAIT), FleetCallFailed.class);

        assertThat(failure.attempts()).isEqualTo(2);
        assertThat(failure).hasMessageContaining("every known instance was tried");
        assertThat(received(closing)).isEqualTo(2);
    }

    @Test
    void whenEveryInstanceFailsTheBudgetKeepsAttemptsPerCallNearOnePlusItsShare() {
        ServiceInstance failingToo = instance(5, request -> request.response().setStatusCode(500).end());
        ServiceInstance failingThree = instance(6, request -> request.response().setStatusCode(502).end());
        // no floor: the share alone; 20 % of calls may be retried
        RetryingCaller caller = caller(TestCallSettings.defaults().withBudget(20, 0), failing, failingToo,
                failingThree);
        int calls = 500;
        int attempts = 0;
        for (int i = 0; i < calls; i++) {
            attempts += catchThrowableOfType(() -> caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT),
                    FleetCallFailed.class).attempts();
        }

        assertThat((double) attempts / calls).isLessThanOrEqualTo(1.2);
        assertThat(counter("fleet.calls.retries.refused")).isPositive();
        assertThat(received(failing) + received(failingToo) + received(failingThree)).isEqualTo(attempts);
    }

    @Test
    void aTryNeverOutlastsTheCall() {
        TestCallSettings settings = new TestCallSettings(2, Duration.ofSeconds(5), Duration.ofMillis(400), 20, 10,
                Duration.ofSeconds(10), false);

        FleetCallFailed failure = catchThrowableOfType(() -> caller(settings, hanging, ok)
                .send(FleetRequest.get("/api/hello")).await().atMost(WAIT), FleetCallFailed.class);

        assertThat(failure).hasMessageContaining("fleet.calls.call-timeout");
        assertThat(received(ok)).isZero();
    }

    @Test
    void anObserverIsToldOfEveryTryWithItsInstanceAndOutcomeUntilItIsRemoved() {
        RetryingCaller caller = caller(TestCallSettings.defaults(), failing, ok);
        List<String> tries = new java.util.concurrent.CopyOnWriteArrayList<>();
        caller.observeTries((instance, nanos, answered) -> tries.add(instance.getId() + (answered ? " answered" : " failed")
                + (nanos > 0 ? "" : " without a duration")));

        caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);
        caller.observeTries(TryObserver.NONE);
        caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(tries).containsExactly(failing.getId() + " failed", ok.getId() + " answered");
    }

    /** Enough answers of {@code ok} for a hedge delay, then the hanging instance offered first. */
    private RetryingCaller hedgingCallerWithTheHangingInstanceFirst(TestCallSettings settings) {
        RetryingCaller caller = caller(settings, ok, hanging);
        for (int i = 0; i < AnswerTimes.ENOUGH; i++) {
            caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);
        }
        discovered = List.of(hanging, ok);
        ended.clear();
        return caller;
    }

    @Test
    void aTryUnansweredAfterTheHedgeDelayGetsABackupElsewhereTheFirstAnswerWinsAndTheOtherTryIsCancelled() {
        RetryingCaller caller = hedgingCallerWithTheHangingInstanceFirst(TestCallSettings.defaults().withHedging());

        long started = System.nanoTime();
        FleetAnswer answer = caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(answer.instanceId()).isEqualTo(ok.getId());
        assertThat(answer.attempts()).as("the try and its backup").isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("well within the 1s per-try timeout")
                .isLessThan(Duration.ofMillis(500));
        assertThat(counter("fleet.calls.hedges")).isEqualTo(1);
        assertThat(counter("fleet.calls.hedges.won")).isEqualTo(1);
        assertThat(received(hanging)).isEqualTo(1);
        // the balancer hears the given-up try as abandoned, not failed, as the round ends; its connection is reset
        await().atMost(WAIT).untilAsserted(() -> assertThat(ended).containsExactlyInAnyOrder(
                ok.getId() + " answered", hanging.getId() + " CancellationException"));
        await().atMost(WAIT).until(() -> hangingClosed.get() == 1);
    }

    @Test
    void aProbeOvertakenByItsBackupRunsToItsAnswerSoThatASlowInstanceIsToldFromAHungOne() {
        ServiceInstance slow = instance(4, request -> vertx.setTimer(300, timer -> request.response()
                .putHeader("content-type", "application/json").end("{\"message\":\"late\"}")));
        RetryingCaller caller = caller(TestCallSettings.defaults().withHedging(), ok, slow);
        for (int i = 0; i < AnswerTimes.ENOUGH; i++) {
            caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);
        }
        discovered = List.of(slow, ok);
        probed.add(slow.getId());
        ended.clear();

        FleetAnswer answer = caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(answer.instanceId()).as("the backup answered first").isEqualTo(ok.getId());
        assertThat(counter("fleet.calls.hedges.won")).isEqualTo(1);
        // the probe was not given up: the balancer hears its late answer
        await().atMost(WAIT).untilAsserted(() -> assertThat(ended).containsExactlyInAnyOrder(
                ok.getId() + " answered", slow.getId() + " answered"));
    }

    @Test
    void aRoundWhoseTryAndBackupBothFailLeavesTheCallItsRetries() {
        ServiceInstance slowFailing = instance(5, request -> vertx.setTimer(300, timer -> request.response()
                .setStatusCode(503).end("injected, late")));
        RetryingCaller caller = caller(TestCallSettings.defaults().withHedging().withMaxRetries(1), ok, failing);
        for (int i = 0; i < AnswerTimes.ENOUGH; i++) {
            caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);
        }
        discovered = List.of(slowFailing, failing, ok);

        FleetAnswer answer = caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT);

        assertThat(answer.instanceId()).as("the one retry, after the round of a try and its backup")
                .isEqualTo(ok.getId());
        assertThat(answer.attempts()).isEqualTo(3);
        assertThat(counter("fleet.calls.hedges")).isEqualTo(1);
        assertThat(counter("fleet.calls.retries")).isEqualTo(1);
    }

    @Test
    void aBackupTakesFromTheRetryBudgetAndIsNotSentWhenItIsSpent() {
        RetryingCaller caller = hedgingCallerWithTheHangingInstanceFirst(
                TestCallSettings.defaults().withHedging().withBudget(0, 0));

        catchThrowableOfType(() -> caller.send(FleetRequest.get("/api/hello")).await().atMost(WAIT),
                FleetCallFailed.class);

        assertThat(counter("fleet.calls.hedges")).isZero();
        assertThat(counter("fleet.calls.hedges.refused")).isEqualTo(1);
        assertThat(received(ok)).as("the answers before, none for this call").isEqualTo(AnswerTimes.ENOUGH);
    }

    @Test
    void aCallThatMayNotBeRepeatedGetsNoBackup() {
        RetryingCaller caller = hedgingCallerWithTheHangingInstanceFirst(TestCallSettings.defaults().withHedging());

        FleetCallFailed failure = catchThrowableOfType(() -> caller.send(new FleetRequest(HttpMethod.POST,
                "/api/hello", false, Duration.ZERO)).await().atMost(WAIT), FleetCallFailed.class);

        assertThat(failure).hasMessageContaining("POST is not idempotent");
        assertThat(counter("fleet.calls.hedges")).isZero();
        assertThat(ended).containsExactly(hanging.getId() + " timed out");
    }
}
