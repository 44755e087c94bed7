package com.example.fleet.devconsul;

import java.io.IOException;
import java.time.Duration;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;

/**
 * The agent that {@code quarkus:dev} starts when no Consul address is configured, like a Quarkus Dev Service:
 * one per dev-mode JVM, kept across live reloads, stopped when dev mode ends.
 */
public final class DevModeConsul {

    private static final Logger LOG = Logger.getLogger(DevModeConsul.class);

    /**
     * A live reload loads application classes again, so the running agent is remembered in a system property,
     * which the JVM keeps; the agent itself is stopped by the shutdown hook of the class loader that started it.
     */
    private static final String RUNNING = "fleet-dev-consul-agent";

    private DevModeConsul() {
    }

    /** The dev agent's address, starting it first if this JVM has none running. */
    public static synchronized String address() {
        String running = System.getProperty(RUNNING);
        if (running != null && answers(running)) {
            return running;
        }
        LOG.info("No CONSUL_HTTP_ADDR is set: starting a Consul dev agent for dev mode");
        ConsulDevAgent agent = ConsulDevAgent.start();
        System.setProperty(RUNNING, agent.address());
        LOG.infof("Consul dev agent is up at %s; UI: %s (all data is in memory and ends with dev mode; log: %s)",
                agent.address(), agent.uiUrl(), agent.logFile());
        return agent.address();
    }

    private static boolean answers(String address) {
        try {
            AgentProbe.leader(ConsulAddress.parse(address, RUNNING), Duration.ofSeconds(2));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
