package com.example.fleet.load;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;


import io.vertx.ext.web.Router;

/**
 * The load of this instance: requests in flight, time of the last request, and the request rate over the last
 * {@value #WINDOW_SECONDS} seconds, answered by {@link LoadEndpoint}. The scaling leader reads it to choose which
 * instance to remove. Management endpoints (health, metrics, the load endpoint itself) are not application load
 * and are not counted.
 */
@ApplicationScoped
public class LoadTracker {

    static final int WINDOW_SECONDS = 10;
    /**
     * Present in a request's routing context, set by a route of order {@link Integer#MIN_VALUE} on the main router:
     * the request is not application load either (a page watching the fleet, a request the management interface
     * handed over), and is not counted.
     */
    public static final String NOT_LOAD = "fleet.load.not-load";

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lastRequestMillis = new AtomicLong();
    /**
     * One slot per second of the window, each holding the second it counts (high 32 bits) and its count (low 32
     * bits) in one long, so that rolling a slot over and counting in it cannot lose a request.
     */
    private final AtomicLongArray slots = new AtomicLongArray(WINDOW_SECONDS);
    private final Clock clock;
    private final String managementPrefix;

    @Inject
    LoadTracker(@org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.non-application-root-path",
            defaultValue = "q") String managementRoot) {
        this(Clock.systemUTC(), managementRoot);
    }

    LoadTracker(Clock clock, String managementRoot) {
        this.clock = clock;
        this.managementPrefix = LoadEndpoint.directory(managementRoot);
    }

    void track(@Observes Router router) {
        // after the routes that mark requests as not load
        router.route().order(Integer.MIN_VALUE + 1).handler(context -> {
            if (!context.normalizedPath().startsWith(managementPrefix) && context.get(NOT_LOAD) == null) {
                requestStarted();
                // runs when the response ends or the connection closes, so aborted requests are not leaked
                context.addEndHandler(done -> requestEnded());
            }
            context.next();
        });
    }

    void requestStarted() {
        long now = clock.millis();
        inFlight.incrementAndGet();
        lastRequestMillis.set(now);
        long second = now / 1000;
        int slot = (int) (second % WINDOW_SECONDS);
        slots.getAndUpdate(slot, packed -> secondOf(packed) == second ? packed + 1 : (second << 32) | 1);
    }

    void requestEnded() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Requests per second over the last full window. */
    public double recentRate() {
        long currentSecond = clock.millis() / 1000;
        long total = 0;
        for (int slot = 0; slot < WINDOW_SECONDS; slot++) {
            long packed = slots.get(slot);
            long second = secondOf(packed);
            if (second > currentSecond - WINDOW_SECONDS && second <= currentSecond) {
                total += packed & 0xFFFF_FFFFL;
            }
        }
        return (double) total / WINDOW_SECONDS;
    }

    private static long secondOf(long packed) {
        return packed >>> 32;
    }

    /** Epoch milliseconds of the last request, 0 when none came yet. */
    public long lastRequestMillis() {
        return lastRequestMillis.get();
    }

    /** The load as the endpoint answers it. */
    public LoadNote current() {
        return new LoadNote(inFlight(), lastRequestMillis(), recentRate());
    }
}
