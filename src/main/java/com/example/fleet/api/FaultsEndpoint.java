package com.example.fleet.api;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code GET} / {@code PUT /q/fleet/faults}: reads or changes this instance's fault rates while it runs, for demos
 * ({@code {"failureRate":0.2,"hangRate":0}}; a field left out keeps its value). Off unless
 * {@value #ENABLED}{@code =true}: anyone who reaches it can break the instance. A management endpoint, never under
 * {@code /api}: on the management interface when {@code quarkus.management.enabled=true}, else under the main
 * server's {@code quarkus.http.non-application-root-path}, next to health and metrics.
 */
@ApplicationScoped
public class FaultsEndpoint {

    static final String ENABLED = "fleet.sample.faults-endpoint.enabled";
    /** The endpoint's path below the management root. */
    static final String PATH = "fleet/faults";
    static final String FAILURE_FIELD = "failureRate";
    static final String HANG_FIELD = "hangRate";
    private static final Set<String> FIELDS = Set.of(FAILURE_FIELD, HANG_FIELD);
    private static final long BODY_LIMIT = 1024;

    private final InjectedFaults faults;
    private final boolean enabled;
    private final boolean managementInterface;
    private final String mainRoot;
    private final String managementRoot;

    @Inject
    FaultsEndpoint(InjectedFaults faults, @ConfigProperty(name = ENABLED, defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false") boolean managementInterface,
            @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q") String mainRoot,
            @ConfigProperty(name = "quarkus.management.root-path", defaultValue = "q") String managementRoot) {
        this.faults = faults;
        this.enabled = enabled;
        this.managementInterface = managementInterface;
        this.mainRoot = mainRoot;
        this.managementRoot = managementRoot;
    }

    void onMainRouter(@Observes Router router) {
        if (enabled && !managementInterface) {
            route(router, mainRoot);
        }
    }

    void onManagementRouter(@Observes ManagementInterface management) {
        if (enabled) {
            route(management.router(), managementRoot);
        }
    }

    private void route(Router router, String root) {
        String path = directory(root) + PATH;
        router.get(path).handler(context -> answer(context, 200, state()));
        router.put(path).handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
                .handler(context -> change(context, "PUT " + path));
    }

    private void change(RoutingContext context, String by) {
        JsonObject body;
        try {
            body = context.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            refuse(context, "the body must be a JSON object such as {\"" + HANG_FIELD + "\":1}");
            return;
        }
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) {
                refuse(context, "unknown field '" + field + "': use " + FAILURE_FIELD + " and " + HANG_FIELD);
                return;
            }
            if (!(body.getValue(field) instanceof Number)) {
                refuse(context, field + " must be a number from 0 to 1, got " + body.getValue(field));
                return;
            }
        }
        FaultRates current = faults.rates();
        double failure = body.containsKey(FAILURE_FIELD) ? body.getDouble(FAILURE_FIELD) : current.failure();
        double hang = body.containsKey(HANG_FIELD) ? body.getDouble(HANG_FIELD) : current.hang();
        List<String> problems = FaultRates.problems(failure, FAILURE_FIELD, hang, HANG_FIELD);
        if (!problems.isEmpty()) {
            refuse(context, String.join("; ", problems));
            return;
        }
        faults.change(new FaultRates(failure, hang), by);
        answer(context, 200, state());
    }

    private JsonObject state() {
        FaultRates rates = faults.rates();
        return new JsonObject().put(FAILURE_FIELD, rates.failure()).put(HANG_FIELD, rates.hang())
                .put("hungRequests", faults.hungRequests());
    }

    private static void refuse(RoutingContext context, String problem) {
        answer(context, 400, new JsonObject().put("error", problem));
    }

    private static void answer(RoutingContext context, int status, JsonObject body) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    /** A root path setting ({@code q}, {@code /q}, {@code /q/}) as a directory: {@code /q/}. */
    static String directory(String root) {
        String absolute = root.startsWith("/") ? root : "/" + root;
        return absolute.endsWith("/") ? absolute : absolute + "/";
    }
}
