package com.example.fleet.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.example.fleet.devmode.DevConsulAgent;
import com.example.fleet.support.Folders;

/**
 * A Consul dev agent for a test, on free loopback ports, optionally with ACLs; tests can stop, kill and restart
 * it. It runs the binary the build provisioned (system property {@code consul.binary}, set by the build, else
 * {@code target/consul/consul}) and ends with the test JVM, also when that dies.
 */
public final class ConsulDevAgent implements AutoCloseable {

    private static final int START_ATTEMPTS = 3;

    private final Path binary;
    private String extraConfig;
    private final Path workDir;
    private DevConsulAgent.Ports ports;
    private DevConsulAgent running;
    private int httpsPort;
    private String httpsHost;

    private ConsulDevAgent(Path binary, String extraConfig) throws IOException {
        this.binary = binary;
        this.extraConfig = extraConfig;
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
        String acl = aclMasterToken.map(token -> """
                "primary_datacenter": "dc1",
                 "acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache",
                         "tokens": {"master": "%s", "agent": "%s"}}""".formatted(token, token)).orElse("");
        try {
            ConsulDevAgent agent = new ConsulDevAgent(binary(), acl);
            agent.launchOnFreePorts();
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a Consul dev agent: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a dev agent that is the only server of datacenter {@code datacenter}; {@link #joinWan} links it with
     * another one.
     */
    public static ConsulDevAgent startInDatacenter(String datacenter) {
        try {
            ConsulDevAgent agent = new ConsulDevAgent(binary(), "\"datacenter\": \"" + datacenter + "\"");
            agent.launchOnFreePorts();
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a Consul dev agent in " + datacenter + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Joins this agent's datacenter with {@code other}'s over the WAN, and waits until this agent lists both
     * datacenters (about a second on 1.8.7; {@code -retry-join-wan} alone would wait its 30 s retry interval).
     */
    public void joinWan(ConsulDevAgent other) {
        ConsulApi api = new ConsulApi(address());
        api.joinWan("127.0.0.1:" + other.ports.serfWan());
        await().atMost(Duration.ofSeconds(30)).until(() -> api.datacenters().size() >= 2);
    }

    /**
     * Starts a dev agent that also serves HTTPS with {@code certificates}, requiring a client certificate there
     * ({@code verify_incoming_https}) if asked; its plain HTTP port stays for the tests' own checks.
     */
    public static ConsulDevAgent startWithHttps(ConsulCertificates certificates, boolean requireClientCertificates) {
        return startWithHttps(certificates, requireClientCertificates, "127.0.0.1");
    }

    /**
     * The same, serving HTTPS on {@code httpsHost} only: another loopback address that the certificate does not
     * name, as a node address would not be (such as 127.0.0.31; the cluster tests use .11-.13 and .21-.22).
     */
    public static ConsulDevAgent startWithHttps(ConsulCertificates certificates, boolean requireClientCertificates,
            String httpsHost) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int httpsPort = socket.getLocalPort();
            socket.close();
            ConsulDevAgent agent = new ConsulDevAgent(binary(), httpsConfig(certificates, httpsHost, httpsPort,
                    requireClientCertificates));
            agent.httpsPort = httpsPort;
            agent.httpsHost = httpsHost;
            agent.launchOnFreePorts();
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a Consul dev agent with HTTPS: " + e.getMessage(), e);
        }
    }

    /** {@code https://host:port} of an agent started with {@link #startWithHttps}. */
    public String httpsAddress() {
        if (httpsPort == 0) {
            throw new IllegalStateException("this agent serves no HTTPS");
        }
        return "https://" + httpsHost + ":" + httpsPort;
    }

    private static String httpsConfig(ConsulCertificates certificates, String httpsHost, int httpsPort,
            boolean requireClientCertificates) {
        return certificates.agentConfig(httpsPort, requireClientCertificates) + ", \"addresses\": {\"https\": \""
                + httpsHost + "\"}";
    }

    /** A random token suitable as ACL master token. */
    public static String newToken() {
        return UUID.randomUUID().toString();
    }

    /** The Consul binary the build provisioned for the tests. */
    static Path binary() {
        Path binary = Path.of(System.getProperty("consul.binary", "target/consul/consul"));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("No Consul binary at " + binary + ": run the tests through ./mvnw, whose"
                    + " provision-consul step links it there (or run ./mvnw initialize once)");
        }
        return binary;
    }

    /** host:port of the HTTP API, as CONSUL_HTTP_ADDR expects it. */
    public String address() {
        return "127.0.0.1:" + ports.http();
    }

    public int httpPort() {
        return ports.http();
    }

    /** The running agent's process (the consul binary itself), e.g. to read its CPU time; empty when stopped. */
    public synchronized Optional<ProcessHandle> processHandle() {
        return running == null ? Optional.empty() : Optional.of(running.processHandle());
    }

    public synchronized boolean isRunning() {
        return running != null && running.isRunning();
    }

    /** Stops the agent; a dev agent keeps everything in memory, so all state is lost. */
    public synchronized void stop() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }

    /** Kills the agent at once, as a crash would. */
    public synchronized void kill() {
        if (running != null) {
            ProcessHandle agent = running.processHandle();
            agent.destroyForcibly();
            agent.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            running = null;
        }
    }

    /** Starts the agent again on the same ports, with empty state: what clients see after an agent restart. */
    public synchronized void restart() {
        stop();
        try {
            running = DevConsulAgent.start(binary, ports, extraConfig, workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restart the Consul dev agent on " + address(), e);
        }
    }

    /**
     * Restarts an HTTPS agent on the same ports, with empty state and {@code certificates} (say, from another CA):
     * what clients see after an agent's certificate was replaced.
     */
    public synchronized void restartWithHttps(ConsulCertificates certificates, boolean requireClientCertificates) {
        if (httpsPort == 0) {
            throw new IllegalStateException("this agent serves no HTTPS");
        }
        extraConfig = httpsConfig(certificates, httpsHost, httpsPort, requireClientCertificates);
        restart();
    }

    @Override
    public void close() {
        stop();
        Folders.deleteTree(workDir);
    }

    private synchronized void launchOnFreePorts() throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                ports = DevConsulAgent.Ports.free();
                running = DevConsulAgent.start(binary, ports, extraConfig, workDir);
                return;
            } catch (IOException e) {
                // a port taken between choosing and binding: try a fresh set
                last = e;
            }
        }
        throw last;
    }
}
