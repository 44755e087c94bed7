package com.example.fleet.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.example.fleet.api.GreetingResource.Greeting;

import io.smallrye.mutiny.Uni;

/**
 * The fleet as a client sees it: {@code quarkus.rest-client.fleet.url=stork://<service>}, so every call (and
 * every retry) lets Stork pick an instance from the consul-watch snapshot.
 */
@RegisterRestClient(configKey = "fleet")
@Path("/api")
public interface FleetClient {

    /**
     * Idempotent, so a failure is retried, on an instance chosen again each time. Twice: when an instance dies,
     * a call reset on it is not reported as failed (the REST client never ends it), so the first retry may still
     * pick it; that attempt is refused, which ejects it, and the second retry goes elsewhere.
     */
    @GET
    @Path("/hello")
    @Retry(maxRetries = 2, delay = 0)
    Uni<Greeting> hello();

    @GET
    @Path("/work")
    @Retry(maxRetries = 2, delay = 0)
    Uni<Greeting> work(@QueryParam("millis") long millis);
}
