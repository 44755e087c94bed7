package com.example.fleet.devmode;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.process.JvmBoundProcess;

/**
 * A {@code consul agent -dev} started from a binary it is given, on loopback ports, keeping everything in memory.
 * The agent cannot outlive the JVM that started it ({@link JvmBoundProcess}), so no run leaves one behind.
 */
public final class DevConsulAgent {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** The ports one agent needs; gRPC is off. */
    public record Ports(int http, int dns, int serfLan, int serfWan, int server) {

        /** Ports free right now, held together while chosen so that no two are the same. */
        public static Ports free() throws IOException {
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

    private final Ports ports;
    private final Path logFile;
    private final JvmBoundProcess process;

    private DevConsulAgent(Ports ports, Path logFile, JvmBoundProcess process) {
        this.ports = ports;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts an agent and waits until it has elected itself leader.
     *
     * @param extraConfig JSON members added to the agent's configuration (such as an {@code "acl"} block), or ""
     * @param workDir where the agent's configuration and log go
     * @throws IOException when it does not start, naming its log
     */
    public static DevConsulAgent start(Path binary, Ports ports, String extraConfig, Path workDir) throws IOException {
        if (!Files.isExecutable(binary)) {
            throw new IOException("the Consul binary " + binary + " is not an executable file");
        }
        Path config = workDir.resolve("agent.json");
        // check_update_interval 0s: any change of a check's output reaches the catalog at once (an agent's default
        // defers output-only changes up to 5 minutes), the worst case for watchers; heartbeats change no output, so
        // the tests that count index changes prove that at the strictest setting
        Files.writeString(config, "{\"check_update_interval\": \"0s\"" + (extraConfig.isBlank() ? "" : ", " + extraConfig)
                + "}\n");
        Path log = workDir.resolve("consul.log");
        List<String> command = List.of(binary.toString(), "agent", "-dev",
                "-bind", "127.0.0.1", "-client", "127.0.0.1", "-advertise", "127.0.0.1",
                "-http-port", Integer.toString(ports.http()), "-dns-port", Integer.toString(ports.dns()),
                "-serf-lan-port", Integer.toString(ports.serfLan()), "-serf-wan-port", Integer.toString(ports.serfWan()),
                "-server-port", Integer.toString(ports.server()), "-grpc-port", "-1",
                "-node", "dev-" + ports.http(), "-log-level", "warn", "-config-file", config.toString());
        DevConsulAgent agent = new DevConsulAgent(ports, log, JvmBoundProcess.start(inOwnSession(command), Map.of(),
                log));
        try {
            agent.awaitLeader();
        } catch (IOException e) {
            agent.stop();
            throw e;
        }
        return agent;
    }

    /**
     * Ctrl-C in a terminal interrupts its whole foreground process group: the agent would quit at the same moment
     * as the instances that still have to leave it. In a session of its own (util-linux {@code setsid}, which
     * replaces itself with the command, keeping the PID) it is stopped by whoever started it, after they left;
     * where there is no {@code setsid} it stays in the group.
     */
    private static List<String> inOwnSession(List<String> command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path setsid = Path.of(directory.isBlank() ? "." : directory, "setsid");
            if (Files.isExecutable(setsid)) {
                List<String> detached = new ArrayList<>(List.of(setsid.toString()));
                detached.addAll(command);
                return detached;
            }
        }
        return command;
    }

    /** The IDs of the services registered in this agent; none also when it does not answer. */
    public Set<String> services() {
        try {
            return AgentProbe.services(ConsulAddress.parse(address(), "dev agent"), Duration.ofSeconds(2));
        } catch (IOException e) {
            return Set.of();
        }
    }

    public Ports ports() {
        return ports;
    }

    /** host:port of the HTTP API, as CONSUL_HTTP_ADDR expects it. */
    public String address() {
        return "127.0.0.1:" + ports.http();
    }

    public String uiUrl() {
        return "http://" + address() + "/ui";
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The agent's process. */
    public ProcessHandle processHandle() {
        return process.handle();
    }

    /** Stops the agent; a dev agent keeps everything in memory, so all its state is lost. */
    public void stop() {
        process.stop(STOP_GRACE);
    }

    private void awaitLeader() throws IOException {
        ConsulAddress api = ConsulAddress.parse(address(), "dev agent");
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("consul agent exited with " + process.exitValue() + "; see " + logFile);
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
        throw new IOException("consul agent on " + address() + " elected no leader within " + READY_TIMEOUT + "; see "
                + logFile);
    }
}
