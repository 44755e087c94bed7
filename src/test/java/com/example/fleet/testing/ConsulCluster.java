package com.example.fleet.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.example.fleet.devmode.DevConsulAgent;
import com.example.fleet.process.JvmBoundProcess;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Consul cluster as production runs it, on this machine: servers (Raft, data on disk) and client agents, each on
 * a loopback address of its own ({@code 127.0.0.1N} for servers, {@code 127.0.0.2N} for clients) and on free
 * ports, joined with a short retry interval. Agents can be killed and started again with their data; all of them
 * end with {@link #close()} and with the test JVM.
 */
public final class ConsulCluster implements AutoCloseable {

    private static final Duration FORMED = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** One agent: its node name, loopback address, ports and data directory; running or not. */
    public final class Agent {
        private final String name;
        private final String host;
        private final boolean server;
        private final int httpPort;
        private final int serfLanPort;
        private final int serverPort;
        private final Path dir;
        private JvmBoundProcess process;

        private Agent(String name, String host, boolean server, Path dir) throws IOException {
            this.name = name;
            this.host = host;
            this.server = server;
            this.dir = dir;
            int[] ports = freePorts(host, 3);
            this.httpPort = ports[0];
            this.serfLanPort = ports[1];
            this.serverPort = ports[2];
        }

        public String name() {
            return name;
        }

        public boolean server() {
            return server;
        }

        /** host:port of its HTTP API, as CONSUL_HTTP_ADDR expects it. */
        public String address() {
            return host + ":" + httpPort;
        }

        /** The agent's own address, which Consul reports as the node address of what registered through it. */
        public String host() {
            return host;
        }

        public ConsulApi consul() {
            return new ConsulApi(address());
        }

        public synchronized boolean isRunning() {
            return process != null && process.isAlive();
        }

        /** Starts it, again with the data it kept if it ran before. */
        public synchronized void start() {
            try {
                Path config = dir.resolve("agent.json");
                Files.writeString(config, config().encodePrettily());
                process = JvmBoundProcess.start(List.of(binary.toString(), "agent", "-config-file", config.toString()),
                        Map.of(), dir.resolve("consul.log"));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start Consul agent " + name, e);
            }
        }

        /** Kills it at once, as a crash or a lost node would. */
        public synchronized void kill() {
            if (process != null) {
                process.kill();
                process = null;
            }
        }

        /** Removes what a stopped agent kept on disk, so that it starts again as a new, empty node would. */
        public synchronized void wipeData() {
            if (isRunning()) {
                throw new IllegalStateException(name + " is running");
            }
            DevConsulAgent.removeWorkDir(dir.resolve("data"));
        }

        synchronized void stop() {
            if (process != null) {
                process.stop(STOP_GRACE);
                process = null;
            }
        }

        private JsonObject config() {
            JsonObject ports = new JsonObject().put("http", httpPort).put("dns", -1).put("grpc", -1)
                    .put("serf_lan", serfLanPort).put("serf_wan", server ? serfWanPorts.get(name) : -1)
                    .put("server", serverPort);
            JsonObject config = new JsonObject()
                    .put("node_name", name)
                    .put("datacenter", "dc1")
                    .put("data_dir", dir.resolve("data").toString())
                    .put("bind_addr", host)
                    .put("client_addr", host)
                    .put("advertise_addr", host)
                    .put("ports", ports)
                    .put("retry_join", new JsonArray(servers().stream()
                            .map(s -> s.host + ":" + s.serfLanPort).collect(Collectors.toList())))
                    .put("retry_interval", "1s")
                    .put("log_level", "warn")
                    .put("disable_update_check", true)
                    // test-speed elections: Consul's production default multiplies Raft's timings by 5
                    .put("performance", new JsonObject().put("raft_multiplier", 1))
                    .put("leave_on_terminate", false);
            if (server) {
                config.put("server", true).put("bootstrap_expect", serverCount);
            }
            return config;
        }

        @Override
        public String toString() {
            return name + "@" + address();
        }
    }

    private final Path binary;
    private final Path workDir;
    private final int serverCount;
    private final List<Agent> agents = new ArrayList<>();
    private final Map<String, Integer> serfWanPorts = new java.util.HashMap<>();

    private ConsulCluster(Path binary, Path workDir, int serverCount) {
        this.binary = binary;
        this.workDir = workDir;
        this.serverCount = serverCount;
    }

    /** Starts {@code servers} servers and {@code clients} client agents and waits until every one is a member. */
    public static ConsulCluster start(int servers, int clients) {
        ConsulCluster cluster;
        try {
            cluster = new ConsulCluster(ConsulDevAgent.binary(), Files.createTempDirectory("consul-cluster"), servers);
            for (int i = 1; i <= servers; i++) {
                cluster.add("server-" + i, "127.0.0.1" + i, true);
            }
            for (int i = 1; i <= clients; i++) {
                cluster.add("client-" + i, "127.0.0.2" + i, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare a Consul cluster", e);
        }
        try {
            cluster.agents.forEach(Agent::start);
            cluster.awaitFormed();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<Agent> servers() {
        return agents.stream().filter(Agent::server).toList();
    }

    public List<Agent> clients() {
        return agents.stream().filter(agent -> !agent.server()).toList();
    }

    /** The server that leads Raft now, as a running agent sees it; empty while there is none. */
    public Optional<Agent> raftLeader() {
        for (Agent agent : agents) {
            if (agent.isRunning()) {
                try {
                    String leader = agent.consul().raftLeader();
                    return servers().stream().filter(s -> leader.equals(s.host + ":" + s.serverPort)).findFirst();
                } catch (RuntimeException e) {
                    // that agent does not answer: ask the next
                }
            }
        }
        return Optional.empty();
    }

    /** Waits until a Raft leader exists and every running agent is an alive member, as the servers see it. */
    public void awaitFormed() {
        await().atMost(FORMED).ignoreExceptions().until(() -> {
            List<Agent> running = agents.stream().filter(Agent::isRunning).toList();
            Agent server = running.stream().filter(Agent::server).findFirst().orElseThrow();
            JsonArray members = server.consul().members();
            long alive = members.stream().map(JsonObject.class::cast)
                    .filter(member -> member.getInteger("Status") == 1)
                    .filter(member -> running.stream().anyMatch(agent -> agent.name.equals(member.getString("Name"))))
                    .count();
            return raftLeader().isPresent() && alive == running.size();
        });
    }

    @Override
    public void close() {
        agents.forEach(Agent::stop);
        DevConsulAgent.removeWorkDir(workDir);
    }

    private void add(String name, String host, boolean server) throws IOException {
        Path dir = Files.createDirectories(workDir.resolve(name));
        Agent agent = new Agent(name, host, server, dir);
        if (server) {
            serfWanPorts.put(name, freePorts(host, 1)[0]);
        }
        agents.add(agent);
    }

    /** Ports free on {@code host} right now, held together while chosen so that no two are the same. */
    private static int[] freePorts(String host, int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host));
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }
}
