package com.example.fleet.registration;

import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.example.fleet.load.LoadEndpoint;
import com.example.fleet.support.VertxTimers;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.vertx.http.HttpServer;
import io.smallrye.mutiny.Uni;

/**
 * The ports an instance registers: the HTTP server's, which other instances call, and the management interface's
 * when it is enabled, which Meta publishes so that the leader reads the load there. Each is the port the server
 * bound ({@link ListeningPort}); the management interface may bind after the main server (a random port, or a slow
 * start).
 */
final class ServerPorts {

    private static final Logger LOG = Logger.getLogger(ServerPorts.class);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** The bound ports; {@code management} is -1 when the interface is disabled or its port unknown. */
    record Bound(int http, int management) {
    }

    private final HttpServer server;
    private final ListeningPort http;
    private final Optional<ListeningPort> management;
    private final int configuredManagementPort;

    /** @param configuredManagementPort the management port configured for this launch mode: 0 when random */
    ServerPorts(HttpServer server, VertxTimers timers, LaunchMode mode, boolean managementEnabled,
            int configuredManagementPort) {
        this.server = server;
        this.http = new ListeningPort("the HTTP server", server::getPort, timers, PATIENCE,
                mode == LaunchMode.DEVELOPMENT);
        this.management = managementEnabled
                ? Optional.of(new ListeningPort("the management interface", server::getManagementPort, timers,
                        PATIENCE, false))
                : Optional.empty();
        this.configuredManagementPort = configuredManagementPort;
    }

    /** At StartupEvent: the ports, if the server already listens (after a dev-mode live reload). */
    Optional<Bound> atStartup() {
        return http.atStartup().stream().boxed().findFirst().map(port -> new Bound(port, management.isEmpty() ? -1
                : server.getManagementPort() > 0 ? server.getManagementPort() : configuredManagementPort));
    }

    /** Once the server started with {@code announcedPort} (0 when random): the ports it bound. */
    Uni<Bound> afterStart(int announcedPort) {
        return http.afterStart(announcedPort).chain(port -> management.map(this::onceBound)
                .orElse(Uni.createFrom().item(-1)).map(managementPort -> new Bound(port, managementPort)));
    }

    /**
     * The management port once bound. One that stays unknown (so far only seen in dev mode with a random port)
     * costs the Meta entry, with a warning, never the registration.
     */
    private Uni<Integer> onceBound(ListeningPort listening) {
        return listening.afterStart(configuredManagementPort).onFailure().recoverWithItem(failure -> {
            LOG.warnf("Registering without Meta %s: %s; the leader reads this instance's load on its main port",
                    LoadEndpoint.MANAGEMENT_PORT_META, failure.getMessage());
            return -1;
        });
    }
}
