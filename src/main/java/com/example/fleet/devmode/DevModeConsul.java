package com.example.fleet.devmode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.support.Folders;

/**
 * The agent that {@code quarkus:dev} starts when no Consul address is configured, like a Quarkus Dev Service:
 * one per dev-mode JVM, kept across live reloads, stopped when dev mode ends. It starts the binary the build
 * provisioned ({@code fleet.consul.dev-agent.binary}); it never looks for or fetches one itself.
 */
public final class DevModeConsul {

    private static final Logger LOG = Logger.getLogger(DevModeConsul.class);
    private static final int START_ATTEMPTS = 3;
    /** Longer than an instance's leave-timeout (6 s) and the local actuator's stop of its children. */
    private static final Duration LEAVE_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    /**
     * A live reload loads application classes again, so the running agent is remembered in a system property,
     * which the JVM keeps; the agent itself ends with the JVM.
     */
    private static final String RUNNING = "fleet-dev-consul-agent";

    private DevModeConsul() {
    }

    /** The dev agent's address, starting it from {@code binary} first if this JVM has none running. */
    public static synchronized String address(String binary) {
        String running = System.getProperty(RUNNING);
        if (running != null && answers(running)) {
            return running;
        }
        DevConsulAgent agent = start(binary);
        System.setProperty(RUNNING, agent.address());
        LOG.infof("Consul dev agent is up at %s; UI: %s (all data is in memory and ends with dev mode; log: %s)",
                agent.address(), agent.uiUrl(), agent.logFile());
        return agent.address();
    }

    private static DevConsulAgent start(String binary) {
        if (binary == null || binary.isBlank()) {
            throw new IllegalStateException("No CONSUL_HTTP_ADDR is set and no Consul binary is given for a dev agent"
                    + " (fleet.consul.dev-agent.binary; ./mvnw quarkus:dev sets it to target/consul/consul)."
                    + " Point CONSUL_HTTP_ADDR at an agent, or set fleet.consul.dev-agent.binary.");
        }
        Path executable = Path.of(binary);
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("No CONSUL_HTTP_ADDR is set and the Consul binary for a dev agent, "
                    + executable + " (fleet.consul.dev-agent.binary), is not an executable file: the build's"
                    + " provision-consul step links it there, see its output. Install Consul on PATH or set"
                    + " CONSUL_BINARY and build again, or point CONSUL_HTTP_ADDR at an agent.");
        }
        LOG.infof("No CONSUL_HTTP_ADDR is set: starting a Consul dev agent for dev mode (%s)", executable);
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                Path workDir = Files.createTempDirectory("consul-dev-agent");
                DevConsulAgent agent = DevConsulAgent.start(executable, DevConsulAgent.Ports.free(), "", workDir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    awaitServicesLeft(agent);
                    agent.stop();
                    Folders.deleteTree(workDir);
                }, "consul-dev-agent-stop"));
                return agent;
            } catch (IOException e) {
                // a port taken between choosing and binding: try a fresh set
                last = e;
            }
        }
        throw new IllegalStateException("Could not start a Consul dev agent: " + last.getMessage(), last);
    }

    /**
     * The application stops in a shutdown hook of its own, at the same time as this one: the agent waits until
     * the instances registered in it (the application and the local actuator's children) have left, for at most
     * {@link #LEAVE_WAIT}, so that they find it there to leave. A service registered by hand stays, and costs that
     * wait once.
     */
    private static void awaitServicesLeft(DevConsulAgent agent) {
        long deadline = System.nanoTime() + LEAVE_WAIT.toNanos();
        while (!agent.services().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
