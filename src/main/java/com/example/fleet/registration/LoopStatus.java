package com.example.fleet.registration;

import java.time.Instant;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * What the registration loop last did and what is wrong, for the health checks. Each new problem is logged once,
 * not once per retry.
 */
final class LoopStatus {

    /** Problems are the registrar's: logged under its name, where operators look for them. */
    private static final Logger LOG = Logger.getLogger(ConsulRegistrar.class);

    private volatile String problem;
    /** When the current problem began; null while there is none. */
    private volatile Instant failingSince;
    private volatile String lastLogged;
    private volatile Instant lastActivity = Instant.now();

    /** The loop is about to talk to Consul: it is alive. */
    void active() {
        lastActivity = Instant.now();
    }

    /** Something keeps the registration from holding; severe problems need an operator, the rest retry. */
    void report(String description, boolean severe) {
        if (problem == null) {
            failingSince = Instant.now();
        }
        problem = description;
        if (!description.equals(lastLogged)) {
            lastLogged = description;
            if (severe) {
                LOG.error(description);
            } else {
                LOG.warn(description + "; retrying");
            }
        }
    }

    /** Consul answered as it should: the problem, if there was one, is over. */
    void resolved(String instanceId) {
        if (problem != null) {
            LOG.infof("Consul answers again for %s", instanceId);
        }
        problem = null;
        failingSince = null;
        lastLogged = null;
    }

    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** When the current problem began, if there is one. */
    Optional<Instant> failingSince() {
        return Optional.ofNullable(failingSince);
    }

    Instant lastActivity() {
        return lastActivity;
    }
}
