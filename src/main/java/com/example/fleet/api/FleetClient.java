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

    /** Idempotent, so a failure is retried once, on an instance chosen again. */
    @GET
    @Path("/hello")
    @Retry(maxRetries = 1, delay = 0)
    Uni<Greeting> hello();

    @GET
    @Path("/work")
    @Retry(maxRetries = 1, delay = 0)
    Uni<Greeting> work(@QueryParam("millis") long millis);
}
