package com.example.fleet.page;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.example.fleet.load.LoadTracker;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;

/**
 * Where the fleet page ({@code /fleet}, its files under {@code /fleet/}) and the fleet API ({@code /api/fleet...})
 * are served. By default on the main HTTP server, like the rest of the API. With
 * {@value #ON_MANAGEMENT_INTERFACE}{@code =true} they move to Quarkus' management interface, next to health and
 * metrics, and the main server answers 404 for them: they show the fleet's topology and can send calls, which is for
 * operators. Quarkus REST serves resources on the main server only, so the management interface hands those
 * requests to the main router, and the main router lets through only the requests that came that way: those whose
 * connection the management interface accepted.
 */
@ApplicationScoped
public class FleetPageRoutes {

    static final String ON_MANAGEMENT_INTERFACE = "fleet.api.on-management-interface";
    /** {@code /fleet}, {@code /fleet/...}, {@code /api/fleet}, {@code /api/fleet/...}. */
    static final String PATHS = "/(api/)?fleet(/.*)?";
    /** The page's stream: someone watching, not load, and open for as long as the page is. */
    static final String STREAM = "/api/fleet/stream";

    @ConfigProperty(name = ON_MANAGEMENT_INTERFACE, defaultValue = "false")
    boolean onManagementInterface;

    @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false")
    boolean managementInterface;

    /** Connections the management interface accepted and handed a request of; weak: they go when they close. */
    private final Set<HttpConnection> viaManagementInterface = Collections
            .synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile Router main;

    /** Without the management interface the page and the API would be served nowhere: stop the start instead. */
    void check(@Observes StartupEvent event) {
        if (onManagementInterface && !managementInterface) {
            throw new IllegalStateException(ON_MANAGEMENT_INTERFACE + "=true needs Quarkus' management interface,"
                    + " which is fixed when the application is built and is off in this build: build it with "
                    + ON_MANAGEMENT_INTERFACE + "=true (which turns quarkus.management.enabled on), or set "
                    + ON_MANAGEMENT_INTERFACE + "=false");
        }
    }

    void onMainRouter(@Observes Router router) {
        main = router;
        // first: it decides whether the request is served here at all, and whether it is load (LoadTracker)
        router.routeWithRegex(PATHS).order(Integer.MIN_VALUE).handler(context -> {
            boolean handedOver = viaManagementInterface.contains(context.request().connection());
            if (onManagementInterface && !handedOver) {
                context.fail(404);
                return;
            }
            if (handedOver || context.normalizedPath().equals(STREAM)) {
                context.put(LoadTracker.NOT_LOAD, true);
            }
            context.next();
        });
        // the page's files are relative to its directory, so that its links keep working under a root path; a plain
        // route of /fleet would match /fleet/ too
        router.getWithRegex("/fleet").handler(context -> context.redirect("fleet/"));
    }

    /**
     * Only GET is handed over: the management interface reads a request's body before routing it, and Quarkus REST
     * cannot read it again. The page and the fleet API need nothing else.
     */
    void onManagementRouter(@Observes ManagementInterface management) {
        if (onManagementInterface) {
            management.router().getWithRegex(PATHS).handler(context -> {
                viaManagementInterface.add(context.request().connection());
                main.handle(context.request());
            });
        }
    }
}
