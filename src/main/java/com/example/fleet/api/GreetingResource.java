package com.example.fleet.api;

import java.time.Duration;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.example.fleet.registration.ConsulRegistrar;

import io.smallrye.mutiny.Uni;

/**
 * The sample API: a greeting configured in Consul KV, and a unit of work whose duration the caller picks. Both can
 * be made to misbehave on purpose ({@link InjectedFaults}): slow, failing with 503, or hanging.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class GreetingResource {

    static final long MAX_WORK_MILLIS = 60_000;

    /** Which instance answered, as registered in Consul. */
    public record Greeting(String message, String instance) {
    }

    @ConfigProperty(name = "greeting.message")
    String message;

    @Inject
    ConsulRegistrar registrar;

    /** The response delay (makes one instance slow, to watch the balancer avoid it), failures and hangs. */
    @Inject
    InjectedFaults faults;

    @GET
    @Path("/hello")
    public Uni<Greeting> hello() {
        String instance = instanceId();
        return faults.inject(instance, () -> {
            Uni<Greeting> greeting = Uni.createFrom().item(new Greeting(message, instance));
            Duration delay = faults.responseDelay();
            return delay.isZero() ? greeting : greeting.onItem().delayIt().by(delay);
        });
    }

    /**
     * Answers after {@code millis} ms without holding a thread: a stand-in for real work, used to show that
     * shutdown drains requests in flight.
     */
    @GET
    @Path("/work")
    public Uni<Greeting> work(@QueryParam("millis") String requested) {
        // a bad request is refused whatever the faults: they stand for a broken instance, not a broken caller
        long millis = BadParameter.millis(requested, MAX_WORK_MILLIS);
        String instance = instanceId();
        return faults.inject(instance, () -> {
            Greeting done = new Greeting("worked " + millis + " ms", instance);
            return millis == 0 ? Uni.createFrom().item(done)
                    : Uni.createFrom().item(done).onItem().delayIt().by(Duration.ofMillis(millis));
        });
    }

    private String instanceId() {
        return registrar.status().instanceId().orElse("unregistered");
    }
}
