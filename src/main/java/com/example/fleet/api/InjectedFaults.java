package com.example.fleet.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Faults the sample API injects on purpose, to reproduce overload and gray failure with real instances: a delay
 * added to every greeting ({@value #RESPONSE_DELAY}), a share of calls answered 503 ({@value #FAILURE_RATE}) and a
 * share accepted and never answered ({@value #HANG_RATE}). The rates can be changed while running
 * ({@link FaultsEndpoint}).
 * <p>
 * A hung call holds no thread: its {@link Uni} simply never completes, while the instance stays registered and its
 * heartbeats go on. It ends when the client gives up (closing the connection cancels it) or when shutdown begins:
 * then every hung call is answered 503, and calls drawn to hang from then on too, so that draining in-flight
 * requests completes instead of waiting out {@code quarkus.shutdown.timeout}.
 */
@Startup // the settings are checked, and the meters exist, from the start
@ApplicationScoped
public class InjectedFaults {

    static final String FAILURE_RATE = "fleet.sample.failure-rate";
    static final String HANG_RATE = "fleet.sample.hang-rate";
    static final String RESPONSE_DELAY = "fleet.sample.response-delay";

    private static final Logger LOG = Logger.getLogger(InjectedFaults.class);

    /**
     * The body of an injected 503, e.g. {@code {"error":"injected failure","setting":"fleet.sample.failure-rate",...}};
     * registered for reflection, as a native build needs to serialize it and no resource method declares it.
     */
    @RegisterForReflection
    public record InjectedFault(String error, String setting, String instance) {
    }

    /** A call held open: failed on the Vert.x context it arrived on, when there is one. */
    private record Hung(Context context, UniEmitter<?> emitter, String instance) {

        void release() {
            Runnable answer = () -> emitter.fail(unavailable("hung request released at shutdown", HANG_RATE, instance));
            if (context == null) {
                answer.run();
            } else {
                context.runOnContext(ignored -> answer.run());
            }
        }
    }

    private final Duration responseDelay;
    private final DoubleSupplier random;
    private final Set<Hung> hung = ConcurrentHashMap.newKeySet();
    private final MeterRegistry meters;
    private final Gauge hungGauge;
    private final Counter failures;
    private final Counter hangs;
    private volatile FaultRates rates;
    private volatile boolean stopping;

    @Inject
    InjectedFaults(@ConfigProperty(name = FAILURE_RATE, defaultValue = "0") double failureRate,
            @ConfigProperty(name = HANG_RATE, defaultValue = "0") double hangRate,
            @ConfigProperty(name = RESPONSE_DELAY, defaultValue = "0ms") Duration responseDelay, MeterRegistry meters) {
        this(checked(failureRate, hangRate, responseDelay), responseDelay, meters,
                () -> ThreadLocalRandom.current().nextDouble());
        if (!rates.none()) {
            LOG.warnf("Injecting faults on purpose into /api/hello and /api/work: %s=%s (answered 503), %s=%s (never"
                    + " answered)", FAILURE_RATE, rates.failure(), HANG_RATE, rates.hang());
        }
    }

    /** With the random source given: a seeded one makes the shares of a test exact. */
    InjectedFaults(FaultRates rates, Duration responseDelay, MeterRegistry meters, DoubleSupplier random) {
        this.rates = rates;
        this.responseDelay = responseDelay;
        this.random = random;
        failures = Counter.builder("fleet.sample.injected.failures")
                .description("sample calls answered 503 on purpose (" + FAILURE_RATE + ")").register(meters);
        hangs = Counter.builder("fleet.sample.injected.hangs")
                .description("sample calls left unanswered on purpose (" + HANG_RATE + ")").register(meters);
        this.meters = meters;
        // held strongly: nothing else references the set through the registry
        this.hungGauge = Gauge.builder("fleet.sample.hung.requests", hung, Set::size).strongReference(true)
                .description("sample calls held open now, until the client gives up or shutdown begins")
                .register(meters);
    }

    /** The registry outlives the application in dev mode's live reload: a gauge left behind would read this one. */
    @PreDestroy
    void removeGauge() {
        meters.remove(hungGauge);
    }

    /**
     * The settings as one check at startup, like the other settings' checks: every problem named with its value.
     *
     * @throws IllegalArgumentException naming each setting out of range and its value
     */
    static FaultRates checked(double failureRate, double hangRate, Duration responseDelay) {
        List<String> problems = new ArrayList<>(FaultRates.problems(failureRate, FAILURE_RATE, hangRate, HANG_RATE));
        if (responseDelay.isNegative()) {
            problems.add(RESPONSE_DELAY + ": " + responseDelay + " is negative; 0ms adds no delay");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid sample settings: " + String.join("; ", problems));
        }
        return new FaultRates(failureRate, hangRate);
    }

    /**
     * The answer to one sample call: {@code call}, or by chance an injected 503 or a hang.
     *
     * @param instance this instance's ID, named in the body of a 503
     */
    public <T> Uni<T> inject(String instance, Supplier<Uni<T>> call) {
        FaultRates now = rates;
        FaultRates.Fault fault = now.none() ? FaultRates.Fault.NONE : now.draw(random.getAsDouble());
        switch (fault) {
            case FAIL:
                failures.increment();
                return Uni.createFrom().failure(() -> unavailable("injected failure", FAILURE_RATE, instance));
            case HANG:
                hangs.increment();
                return hang(instance);
            default:
                return call.get();
        }
    }

    /** Added to every greeting. */
    public Duration responseDelay() {
        return responseDelay;
    }

    FaultRates rates() {
        return rates;
    }

    /** Changes the rates for the calls that come from now on; calls already hung stay so. */
    void change(FaultRates next, String by) {
        FaultRates before = rates;
        rates = next;
        LOG.infof("Fault injection changed by %s: failure rate %s -> %s, hang rate %s -> %s", by, before.failure(),
                next.failure(), before.hang(), next.hang());
    }

    /** Calls held open now. */
    public int hungRequests() {
        return hung.size();
    }

    /** Shutdown begins: answer the hung calls, so that draining in-flight requests completes. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        stop();
    }

    /** Without a shutdown delay this is the first hook; it comes after the drain, so only the leftovers are ended. */
    void onShutdown(@Observes ShutdownEvent event) {
        stop();
    }

    /** Answers every hung call 503, and from now on every call drawn to hang at once. */
    void stop() {
        stopping = true;
        int released = 0;
        for (Hung request : hung) {
            request.release();
            released++;
        }
        if (released > 0) {
            LOG.infof("Shutdown: answered %d hung request(s) 503 (%s), so that they do not hold up the drain", released,
                    HANG_RATE);
        }
    }

    private <T> Uni<T> hang(String instance) {
        return Uni.createFrom().emitter(emitter -> {
            Hung request = new Hung(Vertx.currentContext(), emitter, instance);
            hung.add(request);
            // completed, failed, or cancelled because the client closed the connection
            emitter.onTermination(() -> hung.remove(request));
            if (stopping) {
                // shutdown began while this call was drawn: stop() may have missed it
                request.release();
            }
        });
    }

    static WebApplicationException unavailable(String error, String setting, String instance) {
        return new WebApplicationException(error, Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .type(MediaType.APPLICATION_JSON).entity(new InjectedFault(error, setting, instance)).build());
    }
}
