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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.example.fleet.process.JvmBoundProcess;
import com.example.fleet.support.Folders;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Consul cluster as production runs it, on this machine, as a JUnit extension ({@code @RegisterExtension static}):
 * servers (Raft, data on disk) and client agents, each on a loopback address of its own ({@code 127.0.0.1N} for
 * servers, {@code 127.0.0.2N} for clients) and on free ports, joined with a short retry interval; TLS between all
 * of them with a private CA, client agents serving only HTTPS and requiring a client certificate
 * ({@code verify_incoming_https}); ACLs on with default-deny. Instances get a token of exactly the policy the
 * project ships ({@link #instanceEnvironment}); tests look through a server's plain HTTP API with the master token
 * ({@link #admin()}). Agents can be killed and started again with their data; all of them end after the test
 * class, also when it fails, and with the test JVM.
 */
public final class ConsulCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** The policy the project ships: instances run with exactly what it grants. */
    public static final Path POLICY_RULES = Path.of("src", "main", "consul", "fleet-service-policy.hcl");
    public static final String POLICY = "fleet-service";
    /** The name every client agent's certificate carries, as {@code consul tls cert create -client} writes it. */
    static final String AGENT_NAME = "client.dc1.consul";

    private static final Duration FORMED = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** One agent: its node name, loopback address, ports and data directory; running or not. */
    public final class Agent {
        private final String name;
        private final String host;
        private final boolean server;
        private final int apiPort;
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
            this.apiPort = ports[0];
            this.serfLanPort = ports[1];
            this.serverPort = ports[2];
        }

        public String name() {
            return name;
        }

        public boolean server() {
            return server;
        }

        /** Its API as CONSUL_HTTP_ADDR takes it: {@code https://host:port} for a client agent, host:port (plain HTTP) for a server. */
        public String address() {
            return server ? host + ":" + apiPort : "https://" + host + ":" + apiPort;
        }

        /** The port of its API (HTTPS on a client agent). */
        public int apiPort() {
            return apiPort;
        }

        /** The agent's own address, which Consul reports as the node address of what registered through it. */
        public String host() {
            return host;
        }

        /** A server's plain HTTP API with the master token. */
        ConsulApi admin() {
            if (!server) {
                throw new IllegalStateException(name + " serves only HTTPS with client certificates");
            }
            return new ConsulApi(address(), Optional.of(masterToken));
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
                        Map.of(), logs.resolve(name + ".log"));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start Consul agent " + name, e);
            }
        }

        /**
         * Makes it read its configuration and TLS files again (SIGHUP, as {@code consul reload}), for its next
         * connections; waits until its log says it did: 1.8.7 logs the signal, then, at debug level, whether the
         * reloaded configuration changed its cache options (the reload's last step), or why the reload failed.
         */
        public synchronized void reload() {
            Path log = logs.resolve(name + ".log");
            long before = reloads(log);
            try {
                Process hangUp = new ProcessBuilder("kill", "-HUP", Long.toString(process.handle().pid()))
                        .redirectErrorStream(true).start();
                if (!hangUp.waitFor(30, TimeUnit.SECONDS) || hangUp.exitValue() != 0) {
                    throw new IllegalStateException("could not signal " + name + " to reload");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not signal " + name + " to reload", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> reloads(log) > before);
            try (Stream<String> lines = Files.lines(log)) {
                lines.filter(line -> line.contains("Failed to reload configs")).findFirst().ifPresent(line -> {
                    throw new IllegalStateException(name + " could not reload: " + line);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + log, e);
            }
        }

        private static long reloads(Path log) {
            try (Stream<String> lines = Files.lines(log)) {
                return lines.filter(line -> line.contains("agent: Cache options")).count();
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + log, e);
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
            Folders.deleteTree(dir.resolve("data"));
        }

        synchronized void stop() {
            if (process != null) {
                process.stop(STOP_GRACE);
                process = null;
            }
        }

        private JsonObject config() {
            JsonObject ports = new JsonObject().put("http", server ? apiPort : -1).put("https", server ? -1 : apiPort)
                    .put("dns", -1).put("grpc", -1)
                    .put("serf_lan", serfLanPort).put("serf_wan", server ? serfWanPorts.get(name) : -1)
                    .put("server", serverPort);
            JsonObject tokens = new JsonObject().put("agent", masterToken);
            if (server) {
                tokens.put("master", masterToken);
            }
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
                    // what agents did to the catalog (syncs, deregistrations) stays in the build's logs for a failure
                    .put("log_level", "debug")
                    .put("disable_update_check", true)
                    // test-speed elections: Consul's production default multiplies Raft's timings by 5
                    .put("performance", new JsonObject().put("raft_multiplier", 1))
                    .put("leave_on_terminate", false)
                    // RPC and gossip-adjacent traffic verified both ways; the HTTPS API requires a client certificate
                    .put("ca_file", certificates.agentsCa().toString())
                    .put("cert_file", certificates.agentCert(name).toString())
                    .put("key_file", certificates.agentKey(name).toString())
                    .put("verify_outgoing", true)
                    .put("verify_server_hostname", true)
                    .put("verify_incoming_rpc", true)
                    .put("verify_incoming_https", true)
                    .put("primary_datacenter", "dc1")
                    .put("acl", new JsonObject().put("enabled", true).put("default_policy", "deny")
                            .put("down_policy", "extend-cache").put("tokens", tokens));
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

    private final int serverCount;
    private final int clientCount;
    private final String masterToken = ConsulDevAgent.newToken();
    private final List<Agent> agents = new ArrayList<>();
    private final Map<String, Integer> serfWanPorts = new HashMap<>();
    private Path binary;
    private Path workDir;
    private Path logs;
    private ClusterCertificates certificates;
    private Path tokenFile;

    private ConsulCluster(int serverCount, int clientCount) {
        this.serverCount = serverCount;
        this.clientCount = clientCount;
    }

    /** {@code servers} servers and {@code clients} client agents, started before the test class's first test. */
    public static ConsulCluster of(int servers, int clients) {
        return new ConsulCluster(servers, clients);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts every agent, waits until each is a member, and creates the instances' policy and token. */
    public void start() {
        try {
            binary = ConsulDevAgent.binary();
            workDir = Files.createTempDirectory("consul-cluster");
            logs = Files.createDirectories(Path.of("target", "it-logs", workDir.getFileName().toString()));
            certificates = ClusterCertificates.create(Files.createDirectories(workDir.resolve("tls")));
            for (int i = 1; i <= serverCount; i++) {
                add("server-" + i, "127.0.0.1" + i, true);
            }
            for (int i = 1; i <= clientCount; i++) {
                add("client-" + i, "127.0.0.2" + i, false);
            }
            agents.forEach(agent -> certificates.issueAgent(agent.name, agent.server, certificates.ca()));
            agents.forEach(Agent::start);
            awaitFormed();
            String rules = Files.readString(POLICY_RULES);
            // the master token works once the first leader has set ACLs up
            await().atMost(FORMED).ignoreExceptions().until(() -> admin().createPolicy(POLICY, rules) != null);
            tokenFile = workDir.resolve("instance-token");
            Files.writeString(tokenFile, createInstanceToken() + "\n");
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Could not prepare a Consul cluster", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public List<Agent> servers() {
        return agents.stream().filter(Agent::server).toList();
    }

    public List<Agent> clients() {
        return agents.stream().filter(agent -> !agent.server()).toList();
    }

    /** A running server's HTTP API with the master token: what tests look through. */
    public ConsulApi admin() {
        return servers().stream().filter(Agent::isRunning).findFirst().orElseThrow().admin();
    }

    /** A new token of the shipped policy, as an operator would create one for an instance. */
    public String createInstanceToken() {
        return admin().createToken(POLICY);
    }

    /** Deletes a token by its secret, as an operator does once a rotation is done. */
    public void deleteToken(String secret) {
        ConsulApi owner = new ConsulApi(servers().stream().filter(Agent::isRunning).findFirst().orElseThrow()
                .address(), Optional.of(secret));
        admin().deleteToken(owner.ownAccessorId());
    }

    /** A file holding a token of the shipped policy, made when the cluster started. */
    public Path instanceTokenFile() {
        return tokenFile;
    }

    /**
     * The Consul CLI's variables for an instance on the node of {@code client}: its HTTPS address with the name its
     * certificate carries, the CA, a client certificate (the CLI's, as {@code consul tls cert create -cli} writes
     * it) and the file with its token.
     */
    public Map<String, String> instanceEnvironment(Agent client, Path tokenFile) {
        if (client.server()) {
            throw new IllegalArgumentException("instances run on the nodes of client agents, not on " + client.name);
        }
        return Map.of("CONSUL_HTTP_ADDR", client.address(), "CONSUL_TLS_SERVER_NAME", AGENT_NAME,
                "CONSUL_CACERT", certificates.ca().toString(),
                "CONSUL_CLIENT_CERT", certificates.instancePair().get(0).toString(),
                "CONSUL_CLIENT_KEY", certificates.instancePair().get(1).toString(),
                "CONSUL_HTTP_TOKEN_FILE", tokenFile.toString());
    }

    /** The cluster's TLS files, for a test that rotates them. */
    public ClusterCertificates certificates() {
        return certificates;
    }

    /** Every running agent trusts exactly {@code cas} from now on: the bundle rewritten, then each agent reloaded. */
    public void trustOnAgents(List<Path> cas) {
        certificates.trustOnAgents(cas);
        agents.stream().filter(Agent::isRunning).forEach(Agent::reload);
    }

    /** Every agent presents a certificate of {@code ca} from now on: each issued one, then reloaded. */
    public void moveAgentsTo(Path ca) {
        agents.forEach(agent -> certificates.issueAgent(agent.name, agent.server, ca));
        agents.stream().filter(Agent::isRunning).forEach(Agent::reload);
    }

    /** The server that leads Raft now, as a running server sees it; empty while there is none. */
    public Optional<Agent> raftLeader() {
        for (Agent agent : servers()) {
            if (agent.isRunning()) {
                try {
                    String leader = agent.admin().raftLeader();
                    return servers().stream().filter(s -> leader.equals(s.host + ":" + s.serverPort)).findFirst();
                } catch (RuntimeException e) {
                    // that server does not answer: ask the next
                }
            }
        }
        return Optional.empty();
    }

    /** Waits until a Raft leader exists and every running agent is an alive member, as a server sees it. */
    public void awaitFormed() {
        await().atMost(FORMED).ignoreExceptions().until(() -> {
            List<Agent> running = agents.stream().filter(Agent::isRunning).toList();
            JsonArray members = admin().members();
            long alive = members.stream().map(JsonObject.class::cast)
                    .filter(member -> member.getInteger("Status") == 1)
                    .filter(member -> running.stream().anyMatch(agent -> agent.name.equals(member.getString("Name"))))
                    .count();
            return raftLeader().isPresent() && alive == running.size();
        });
    }

    @Override
    public synchronized void close() {
        agents.forEach(Agent::stop);
        agents.clear();
        if (workDir != null) {
            Folders.deleteTree(workDir);
            workDir = null;
        }
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
