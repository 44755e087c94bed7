package com.example.fleet.load;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /q/fleet/load}: this instance's current {@link LoadNote}, read by the scaling leader when it chooses
 * victims. A management endpoint: with {@code quarkus.management.enabled=true} it is served on the management
 * interface (under {@code quarkus.management.root-path}) and the instance publishes that interface's port in its
 * Consul Meta ({@link #MANAGEMENT_PORT_META}); otherwise it is served next to health and metrics on the main
 * server (under {@code quarkus.http.non-application-root-path}). Answering runs on the event loop and reads a few
 * atomics.
 */
@ApplicationScoped
public class LoadEndpoint {

    /** The endpoint's path below the management root. */
    public static final String PATH = "fleet/load";

    /** Consul Meta key of the management interface's port, registered only when that interface is enabled. */
    public static final String MANAGEMENT_PORT_META = "management-port";

    @Inject
    LoadTracker load;

    @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false")
    boolean managementInterface;

    @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q")
    String mainRoot;

    @ConfigProperty(name = "quarkus.management.root-path", defaultValue = "q")
    String managementRoot;

    void onMainRouter(@Observes Router router) {
        if (!managementInterface) {
            router.get(directory(mainRoot) + PATH).handler(answer());
        }
    }

    void onManagementRouter(@Observes ManagementInterface management) {
        management.router().get(directory(managementRoot) + PATH).handler(answer());
    }

    /** The endpoint's path on the server that serves it, for an instance configured like this one. */
    public String path(boolean onManagementInterface) {
        return directory(onManagementInterface ? managementRoot : mainRoot) + PATH;
    }

    private Handler<RoutingContext> answer() {
        return context -> context.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(load.current().toJson());
    }

    /** A root path setting ({@code q}, {@code /q}, {@code /q/}) as a directory: {@code /q/}. */
    static String directory(String root) {
        String absolute = root.startsWith("/") ? root : "/" + root;
        return absolute.endsWith("/") ? absolute : absolute + "/";
    }
}
