package com.example.fleet.page;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.example.fleet.api.BadParameter;
import com.example.fleet.calls.FleetCalls;
import com.example.fleet.scaling.audit.AuditRing;
import com.example.fleet.scaling.audit.AuditTrail;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The fleet page's endpoints next to {@code /api/fleet}: its live feed, the fleet's audit trail, and a control that
 * sends calls through the balancer so that the chart moves.
 */
@Path("/api/fleet")
public class FleetPageResource {

    /** How soon a page reconnects after its stream ended (an instance restarting); browsers wait about 3 s. */
    static final Duration RECONNECT = Duration.ofSeconds(1);
    static final int DEFAULT_AUDIT_EVENTS = 20;
    static final int MAX_CALLS = 500;
    static final int DEFAULT_CALLS = 100;
    /** Calls of one request in flight at once: enough to spread, not enough to load the fleet. */
    static final int PARALLEL_CALLS = 8;

    /** The outcome of the calls sent. */
    @RegisterForReflection
    public record Sent(int calls, int answered, int failed) {
    }

    /** Consul could not be read: the request cannot be answered now. */
    static final class ConsulUnavailable extends RuntimeException {
        ConsulUnavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    @Inject
    FleetFeed feed;
    @Inject
    AuditRing audit;
    @Inject
    FleetCalls fleet;

    /**
     * Server-sent events, one per part that changed ({@code instances}, {@code control}, {@code calls},
     * {@code audit}, each a JSON object; {@code ping} while nothing changes); see {@link FleetFeed}.
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        return feed.frames().map(frame -> sse.newEventBuilder().name(frame.name()).data(frame.json())
                .mediaType(MediaType.TEXT_PLAIN_TYPE).reconnectDelay(RECONNECT.toMillis()).build());
    }

    /** The fleet's last audit events, newest first: {@code limit} of them, 1 to {@value AuditTrail#CAPACITY}. */
    @GET
    @Path("/audit")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<FleetFeed.Audit> audit(@QueryParam("limit") String limit) {
        int events = BadParameter.wholeNumber("limit", limit, 1, AuditTrail.CAPACITY, DEFAULT_AUDIT_EVENTS);
        return audit.read().map(trail -> new FleetFeed.Audit(audit.key(), trail.newestFirst(events), trail.problem()))
                .onFailure().transform(failure -> new ConsulUnavailable(audit.describe(failure), failure));
    }

    /**
     * Sends {@code count} greetings (1 to {@value #MAX_CALLS}) through the balancer, and says how they went. A GET,
     * like {@code /api/fleet/call}: the calls read a greeting and change nothing.
     */
    @GET
    @Path("/calls")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Sent> send(@QueryParam("count") String count) {
        int calls = BadParameter.wholeNumber("count", count, 1, MAX_CALLS, DEFAULT_CALLS);
        return Multi.createFrom().range(0, calls)
                .onItem().transformToUni(i -> fleet.get("/api/hello", Duration.ZERO)
                        .map(answer -> answer.status() < 400).onFailure().recoverWithItem(false))
                .merge(PARALLEL_CALLS)
                .collect().with(Collectors.partitioningBy(answered -> answered,
                        Collectors.counting()))
                .map(outcome -> new Sent(calls, outcome.get(true).intValue(), outcome.get(false).intValue()));
    }

    @ServerExceptionMapper
    public RestResponse<Map<String, String>> unavailable(ConsulUnavailable failure) {
        return RestResponse.ResponseBuilder.create(Response.Status.SERVICE_UNAVAILABLE,
                Map.of("error", failure.getMessage())).type(MediaType.APPLICATION_JSON).build();
    }
}
