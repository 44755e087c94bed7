package com.example.fleet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.X509KeyManager;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

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

    /** The CA as a trust store of {@code type} (JKS or PKCS12), as {@code keytool -importcert} makes one. */
    public Path trustStore(Path file, String password, String type) {
        try {
            KeyStore store = emptyStore(type);
            store.setCertificateEntry("consul-ca", certificate(ca));
            return save(store, file, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Could not write the trust store " + file, e);
        }
    }

    /**
     * The client certificate and its key as a key store of {@code type}, the key under the store's password, as
     * {@code openssl pkcs12 -export} makes one.
     */
    public Path clientKeyStore(Path file, String password, String type) {
        try {
            // Vert.x reads the SEC1 EC key consul tls writes, which the JDK alone does not
            X509KeyManager pair = (X509KeyManager) new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readString(clientCert)))
                    .setKeyValue(Buffer.buffer(Files.readString(clientKey)))
                    .getKeyManagerFactory(null).getKeyManagers()[0];
            String alias = pair.getClientAliases("EC", null)[0];
            KeyStore store = emptyStore(type);
            store.setKeyEntry("client", pair.getPrivateKey(alias), password.toCharArray(),
                    pair.getCertificateChain(alias));
            return save(store, file, password);
        } catch (Exception e) {
            throw new IllegalStateException("Could not write the key store " + file, e);
        }
    }

    private static KeyStore emptyStore(String type) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        return store;
    }

    private static Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static Path save(KeyStore store, Path file, String password) throws IOException,
            GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
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
