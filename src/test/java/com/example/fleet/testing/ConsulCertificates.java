package com.example.fleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA with a server and a client certificate for datacenter dc1, made offline by the Consul CLI
 * ({@code consul tls ca create}, {@code consul tls cert create -server|-client}): the PEM files as users get them.
 */
public record ConsulCertificates(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    /**
     * Creates them in {@code dir}; the server certificate names {@code server.dc1.consul}, {@code localhost},
     * {@code 127.0.0.1} and {@code additionalServerNames} (DNS names, wildcards allowed).
     */
    public static ConsulCertificates create(Path dir, String... additionalServerNames) {
        try {
            Files.createDirectories(dir);
            consulTls(dir, "ca", "create");
            List<String> server = new java.util.ArrayList<>(List.of("cert", "create", "-server", "-dc", "dc1"));
            for (String name : additionalServerNames) {
                server.add("-additional-dnsname=" + name);
            }
            consulTls(dir, server.toArray(String[]::new));
            consulTls(dir, "cert", "create", "-client", "-dc", "dc1");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create certificates with consul tls", e);
        }
        return new ConsulCertificates(dir.resolve("consul-agent-ca.pem"), dir.resolve("dc1-server-consul-0.pem"),
                dir.resolve("dc1-server-consul-0-key.pem"), dir.resolve("dc1-client-consul-0.pem"),
                dir.resolve("dc1-client-consul-0-key.pem"));
    }

    /** JSON members of an agent configuration serving HTTPS on {@code httpsPort}. */
    public String agentConfig(int httpsPort, boolean requireClientCertificates) {
        return """
                "ports": {"https": %d}, "ca_file": "%s", "cert_file": "%s", "key_file": "%s",
                 "verify_incoming_https": %b""".formatted(httpsPort, ca, serverCert, serverKey,
                requireClientCertificates);
    }

    /** Runs {@code consul tls arguments...} in {@code dir}, where it writes its files. */
    static void consulTls(Path dir, String... arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(ConsulDevAgent.binary().toAbsolutePath().toString(),
                "tls"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("consul-tls.log").toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("consul tls " + String.join(" ", arguments) + " failed; see "
                        + dir.resolve("consul-tls.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
