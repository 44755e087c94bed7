package com.example.fleet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
            List<String> server = new ArrayList<>(List.of("cert", "create", "-server", "-dc", "dc1"));
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

    /**
     * The same CA with a new client certificate and key, as a rotation issues them ({@code consul tls cert create
     * -client}, numbered after the ones before), with {@code options} such as {@code -days=3}.
     */
    public ConsulCertificates withNewClientPair(String... options) {
        Path dir = ca.getParent();
        try (Stream<Path> files = Files.list(dir)) {
            long issued = files.filter(file -> file.getFileName().toString().matches("dc1-client-consul-\\d+\\.pem"))
                    .count();
            List<String> arguments = new ArrayList<>(List.of("cert", "create", "-client", "-dc", "dc1"));
            arguments.addAll(List.of(options));
            consulTls(dir, arguments.toArray(String[]::new));
            return new ConsulCertificates(ca, serverCert, serverKey, dir.resolve("dc1-client-consul-" + issued + ".pem"),
                    dir.resolve("dc1-client-consul-" + issued + "-key.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not issue a client certificate with consul tls", e);
        }
    }

    /**
     * A self-signed certificate and its key (PKCS#8 PEM) in {@code dir}, valid from {@code startDate} (keytool's
     * form, such as {@code -3d}) for {@code days}: an expired or not yet valid pair that belongs together.
     *
     * @return the certificate file and the key file
     */
    public static List<Path> selfSignedPair(Path dir, String name, String startDate, int days) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve(name + ".p12");
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        try {
            run(dir, keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", "CN=" + name,
                    "-startdate", startDate, "-validity", Integer.toString(days), "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", "changeit");
            run(dir, keytool.toString(), "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(),
                    "-storepass", "changeit", "-file", cert.toString());
            KeyStore keys = KeyStore.getInstance(store.toFile(), "changeit".toCharArray());
            byte[] pkcs8 = keys.getKey(name, "changeit".toCharArray()).getEncoded();
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n");
            return List.of(cert, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Could not make a self-signed pair with keytool in " + dir, e);
        }
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
        List<String> command = new ArrayList<>(List.of(ConsulDevAgent.binary().toAbsolutePath().toString(), "tls"));
        command.addAll(List.of(arguments));
        run(dir, command.toArray(String[]::new));
    }

    private static void run(Path dir, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("tools.log").toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " failed; see " + dir.resolve("tools.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
