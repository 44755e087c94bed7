package com.example.fleet.registration;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;

import io.smallrye.mutiny.Uni;

/**
 * The port the HTTP server bound, which is what other instances must call. {@code HttpServerStart} carries the
 * configured port (0 when random), and {@code HttpServer.getPort()} answers -1 until the server has recorded the
 * port it bound; so the port comes from the event when it names one, else from the server once it knows, polled
 * on Vert.x timers for a bounded time.
 * <p>
 * A dev-mode live reload restarts the application but keeps the server listening: no {@code HttpServerStart}
 * follows, and {@code HttpServer.getPort()} answers -1 at the restarted application's {@code StartupEvent} and
 * after it (measured with Quarkus 3.33.2: the new application never learns the port). So dev mode remembers the
 * port JVM-wide, where a reload cannot lose it.
 */
final class ListeningPort {

    /** System property that holds the port across dev-mode live reloads. */
    static final String DEV_MODE_REMEMBERED = "fleet-dev-http-port";
    private static final Duration FIRST_POLL = Duration.ofMillis(10);
    private static final Duration LONGEST_POLL = Duration.ofMillis(500);

    private final String server;
    private final IntSupplier serverPort;
    private final ScheduledExecutorService timers;
    private final Duration patience;
    private final boolean devMode;

    /**
     * @param server which server, for messages: the HTTP server or the management interface
     * @param serverPort the server's bound port, -1 (or 0) while unknown
     * @param patience how long to wait for the server to know its port after it started
     */
    ListeningPort(String server, IntSupplier serverPort, ScheduledExecutorService timers, Duration patience,
            boolean devMode) {
        this.server = server;
        this.serverPort = serverPort;
        this.timers = timers;
        this.patience = patience;
        this.devMode = devMode;
    }

    /** At StartupEvent: the port, if the server already listens, which is the case after a dev-mode live reload. */
    OptionalInt atStartup() {
        int port = serverPort.getAsInt();
        if (!isBound(port) && devMode) {
            port = Integer.getInteger(DEV_MODE_REMEMBERED, -1);
        }
        return isBound(port) ? OptionalInt.of(port) : OptionalInt.empty();
    }

    /**
     * Once the server started with {@code announcedPort} (the configured one, 0 when random): the port it bound.
     * Fails, naming the wait, when the server does not know it within the patience.
     */
    Uni<Integer> afterStart(int announcedPort) {
        Uni<Integer> port = isBound(announcedPort) ? Uni.createFrom().item(announcedPort)
                : Uni.createFrom().deferred(this::untilTheServerKnows);
        return port.invoke(known -> {
            if (devMode) {
                System.setProperty(DEV_MODE_REMEMBERED, Integer.toString(known));
            }
        });
    }

    /** Built per wait, so that the deadline counts from the start of this wait. */
    private Uni<Integer> untilTheServerKnows() {
        return Uni.createFrom().item(serverPort::getAsInt)
                .onItem().transform(port -> {
                    if (!isBound(port)) {
                        throw new PortNotKnownYet();
                    }
                    return port;
                })
                .onFailure(PortNotKnownYet.class).retry().withBackOff(FIRST_POLL, LONGEST_POLL).withJitter(0.5)
                .withExecutor(timers).expireIn(patience.toMillis())
                .onFailure().transform(failure -> new IllegalStateException(server + " did not report the port it"
                        + " bound within " + patience + " of starting (it still answers " + serverPort.getAsInt()
                        + ")"));
    }

    private static boolean isBound(int port) {
        return port > 0;
    }

    private static final class PortNotKnownYet extends RuntimeException {
        PortNotKnownYet() {
            super("port not known yet", null, false, false);
        }
    }
}
