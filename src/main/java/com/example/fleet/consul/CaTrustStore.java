package com.example.fleet.consul;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA files of {@link ConsulSettings.Tls} (PEM, {@link CaFiles}) as a trust store, for the two clients that take
 * no PEM: quarkus-config-consul (its settings name a store file) and the JDK client of {@link AgentProbe}. Written once per
 * configuration build into a private temporary directory with a random password, removed when the JVM ends.
 *
 * @param file the JKS file holding the CA certificates
 * @param password its password
 */
public record CaTrustStore(Path file, String password) {

    /** Writes the certificates of {@code cas} ({@link CaFiles}) into a new store. */
    public static CaTrustStore write(List<Path> cas) throws IOException, GeneralSecurityException {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().encodeToString(random);
        KeyStore store = CaFiles.trustStore(cas);
        // created readable by this user only
        Path dir = Files.createTempDirectory("fleet-consul-tls");
        dir.toFile().deleteOnExit();
        Path file = dir.resolve("trust.jks");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        file.toFile().deleteOnExit();
        return new CaTrustStore(file, password);
    }

    /** The store, read back. */
    public KeyStore load() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(CaFiles.STORE_TYPE);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /** A TLS context that trusts these CAs, checks the host connected to, and presents no certificate. */
    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Names the file only: the password stays out of logs. */
    @Override
    public String toString() {
        return "CaTrustStore[" + file + "]";
    }
}
