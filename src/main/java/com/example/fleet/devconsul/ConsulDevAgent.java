package com.example.fleet.devconsul;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;

/**
 * A {@code consul agent -dev} on free loopback ports, for dev mode and tests. Every agent is tied to the JVM
 * that started it: a stop, a JVM shutdown hook, and {@link JvmBoundProcess} (the agent ends when the JVM dies,
 * even by kill -9) make sure none outlives its run. Several agents can run side by side.
 */
public final class ConsulDevAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConsulDevAgent.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final Path binary;
    private final Optional<String> aclMasterToken;
    private final Path workDir;
    private final Thread shutdownHook = new Thread(this::close, "consul-dev-agent-stop");
    private Ports ports;
    private JvmBoundProcess process;

    private ConsulDevAgent(Path binary, Optional<String> aclMasterToken) throws IOException {
        this.binary = binary;
        this.aclMasterToken = aclMasterToken;
        this.workDir = Files.createTempDirectory("consul-dev-agent");
    }

    /** Starts a dev agent without ACLs. */
    public static ConsulDevAgent start() {
        return start(Optional.empty());
    }

    /**
     * Starts a dev agent; with a master token, ACLs are on with default policy deny and the token is both the
     * master and the agent token.
     */
    public static ConsulDevAgent start(Optional<String> aclMasterToken) {
        try {
            ConsulDevAgent agent = new ConsulDevAgent(ConsulBinary.locate(), aclMasterToken);
            Runtime.getRuntime().addShutdownHook(agent.shutdownHook);
            agent.launchOnFreePorts();
            LOG.debugf("Consul dev agent on %s (log: %s)", agent.address(), agent.logFile());
            return agent;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start a Consul dev agent: " + e.getMessage(), e);
        }
    }

    /** A random token suitable as ACL master token. */
    public static String newToken() {
        return UUID.randomUUID().toString();
    }

    /** host:port of the HTTP API, as CONSUL_HTTP_ADDR expects it. */
    public String address() {
        return "127.0.0.1:" + ports.http;
    }

    public int httpPort() {
        return ports.http;
    }

    public String uiUrl() {
        return "http://" + address() + "/ui";
    }

    public Path logFile() {
        return workDir.resolve("consul.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the agent; a dev agent keeps everything in memory, so all state is lost. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(20));
            process = null;
        }
    }

    /** Kills the agent at once, as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    /** Starts the agent again on the same ports, with empty state: what clients see after an agent restart. */
    public synchronized void restart() {
        stop();
        try {
            launch(ports);
        } catch (IOException e) {
            throw new IllegalStateException("Could not restart the Consul dev agent on " + address(), e);
        }
    }

    @Override
    public void close() {
        stop();
        deleteWorkDir();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: this is the hook itself
        }
    }

    private void deleteWorkDir() {
        try (java.util.stream.Stream<Path> files = Files.walk(workDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.debugf("Could not remove %s: %s", workDir, e.getMessage());
        }
    }

    private void launchOnFreePorts() throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                launch(Ports.free());
                return;
            } catch (IOException e) {
                // a port taken between probing and binding: try a fresh set
                last = e;
                stop();
            }
        }
        throw last;
    }

    private synchronized void launch(Ports chosen) throws IOException {
        this.ports = chosen;
        List<String> command = new ArrayList<>(List.of(binary.toString(), "agent", "-dev",
                "-bind", "127.0.0.1", "-client", "127.0.0.1", "-advertise", "127.0.0.1",
                "-http-port", Integer.toString(chosen.http), "-dns-port", Integer.toString(chosen.dns),
                "-serf-lan-port", Integer.toString(chosen.serfLan), "-serf-wan-port", Integer.toString(chosen.serfWan),
                "-server-port", Integer.toString(chosen.server), "-grpc-port", "-1",
                "-node", "dev-" + chosen.http, "-log-level", "warn"));
        // check_update_interval 0s: heartbeat notes that change nothing but the output still reach the catalog at
        // once, so readers of /v1/health see current load (an agent's default defers them up to 5 minutes)
        String acl = aclMasterToken.map(token -> """
                , "primary_datacenter": "dc1",
                 "acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache",
                         "tokens": {"master": "%s", "agent": "%s"}}""".formatted(token, token)).orElse("");
        Path config = workDir.resolve("agent.json");
        Files.writeString(config, "{\"check_update_interval\": \"0s\"" + acl + "}\n");
        command.addAll(List.of("-config-file", config.toString()));
        process = JvmBoundProcess.start(command, Map.of(), logFile());
        awaitLeader();
    }

    private void awaitLeader() throws IOException {
        ConsulAddress api = ConsulAddress.parse(address(), "dev agent");
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("consul agent exited with " + process.exitValue() + "; see " + logFile());
            }
            try {
                if (!AgentProbe.leader(api, Duration.ofSeconds(2)).isEmpty()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the consul agent");
            }
        }
        throw new IOException("consul agent on " + address() + " elected no leader within " + READY_TIMEOUT
                + "; see " + logFile());
    }

    /** The ports one agent needs; gRPC is off. */
    private record Ports(int http, int dns, int serfLan, int serfWan, int server) {
        static Ports free() throws IOException {
            List<ServerSocket> held = new ArrayList<>();
            try {
                int[] ports = new int[5];
                for (int i = 0; i < ports.length; i++) {
                    ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(socket);
                    ports[i] = socket.getLocalPort();
                }
                return new Ports(ports[0], ports[1], ports[2], ports[3], ports[4]);
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
