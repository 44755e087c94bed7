package com.example.fleet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * Where the faults endpoint is served: nowhere unless enabled, and never on the main server when the management
 * interface is on ({@link GreetingResourceFailureInjectionTest} serves it there).
 */
class GreetingResourceFaultsEndpointTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    private List<String> mainServerPaths(boolean enabled, boolean managementInterface, String root) {
        InjectedFaults faults = new InjectedFaults(FaultRates.NONE, Duration.ZERO, new SimpleMeterRegistry(),
                () -> 0.5);
        Router router = Router.router(vertx);
        new FaultsEndpoint(faults, enabled, managementInterface, root, "q").onMainRouter(router);
        return router.getRoutes().stream().map(Route::getPath).toList();
    }

    @Test
    void offByDefault() {
        assertThat(mainServerPaths(false, false, "q")).isEmpty();
    }

    @Test
    void enabledWithoutAManagementInterfaceItSitsNextToHealthAndMetrics() {
        assertThat(mainServerPaths(true, false, "q")).isNotEmpty().containsOnly("/q/fleet/faults");
        assertThat(mainServerPaths(true, false, "/internal/")).isNotEmpty().containsOnly("/internal/fleet/faults");
    }

    @Test
    void enabledWithAManagementInterfaceItIsNotOnTheMainServer() {
        assertThat(mainServerPaths(true, true, "q")).isEmpty();
    }
}
