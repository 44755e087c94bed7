package com.example.fleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TLS files of a {@link ConsulCluster}, made offline by the Consul CLI and rotated as operators do: each agent
 * reads its certificate, its key and the CA bundle from paths that never change (rewritten in place, then the agent
 * reloads), and instances present a pair that {@code consul tls cert create -cli} issued.
 */
public final class ClusterCertificates {

    private final Path dir;
    private Path ca;
    private List<Path> instancePair;

    private ClusterCertificates(Path dir) {
        this.dir = dir;
    }

    /** A first CA in {@code dir}, trusted by every agent, and a pair for instances from it. */
    static ClusterCertificates create(Path dir) {
        ClusterCertificates certificates = new ClusterCertificates(dir);
        certificates.ca = certificates.createCa("first");
        certificates.trustOnAgents(List.of(certificates.ca));
        certificates.instancePair = certificates.issueInstancePair(certificates.ca);
        return certificates;
    }

    /** The CA file instances trust ({@code CONSUL_CACERT}). */
    public Path ca() {
        return ca;
    }

    /** The certificate and key instances present ({@code CONSUL_CLIENT_CERT}, {@code CONSUL_CLIENT_KEY}). */
    public List<Path> instancePair() {
        return instancePair;
    }

    /** What instances started from now on trust and present, once a rotation moved the cluster to another CA. */
    public void instancesUse(Path ca, List<Path> pair) {
        this.ca = ca;
        this.instancePair = List.copyOf(pair);
    }

    /** A new CA ({@code consul tls ca create} in a folder of its own); its certificate file. */
    public Path createCa(String name) {
        try {
            Path caDir = Files.createDirectories(dir.resolve(name));
            ConsulCertificates.consulTls(caDir, "ca", "create");
            return caDir.resolve("consul-agent-ca.pem");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a CA with consul tls", e);
        }
    }

    /** A new pair of {@code ca} as instances present it ({@code -cli}), with {@code options} such as -days=30. */
    public List<Path> issueInstancePair(Path ca, String... options) {
        List<String> arguments = new ArrayList<>(List.of("cert", "create", "-cli", "-dc", "dc1"));
        arguments.addAll(List.of(options));
        return issue(ca, arguments);
    }

    /** Writes {@code cas} as the bundle every agent reads ({@code ca_file}); agents see it when they reload. */
    void trustOnAgents(List<Path> cas) {
        try {
            StringBuilder bundle = new StringBuilder();
            for (Path file : cas) {
                bundle.append(Files.readString(file).strip()).append('\n');
            }
            RotatedFiles.replace(agentsCa(), bundle.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the agents' CA bundle", e);
        }
    }

    /** Issues {@code agent} a certificate of {@code ca} at its fixed paths; the agent uses it when it reloads. */
    void issueAgent(String agent, boolean server, Path ca) {
        List<Path> pair = issue(ca, List.of("cert", "create", server ? "-server" : "-client", "-dc", "dc1"));
        RotatedFiles.replacePair(agentCert(agent), agentKey(agent), pair);
    }

    Path agentsCa() {
        return dir.resolve("agents-ca.pem");
    }

    Path agentCert(String agent) {
        return dir.resolve(agent + ".pem");
    }

    Path agentKey(String agent) {
        return dir.resolve(agent + "-key.pem");
    }

    /** Runs {@code consul tls arguments} in the CA's folder; the certificate and key files it added. */
    private static List<Path> issue(Path ca, List<String> arguments) {
        Path caDir = ca.getParent();
        try {
            Set<Path> before = files(caDir);
            ConsulCertificates.consulTls(caDir, arguments.toArray(String[]::new));
            List<Path> added = files(caDir).stream().filter(file -> !before.contains(file))
                    .filter(file -> file.toString().endsWith(".pem")).sorted().toList();
            Path key = added.stream().filter(file -> file.toString().endsWith("-key.pem")).findFirst().orElseThrow();
            Path cert = added.stream().filter(file -> !file.equals(key)).findFirst().orElseThrow();
            return List.of(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not issue a certificate with consul tls", e);
        }
    }

    private static Set<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new HashSet<>(files.toList());
        }
    }
}
