package com.example.fleet.consul.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CA certificates the agent's certificate must chain to: the file of {@code fleet.consul.tls.ca-cert}
 * (CONSUL_CACERT) and every {@code *.pem} and {@code *.crt} file directly in the directory of
 * {@code fleet.consul.tls.ca-path} (CONSUL_CAPATH), together when both are set. Neither: the JVM's trusted CAs.
 */
public final class CaFiles {

    static final String CA_CERT = "fleet.consul.tls.ca-cert (CONSUL_CACERT)";
    static final String CA_PATH = "fleet.consul.tls.ca-path (CONSUL_CAPATH)";
    /** In memory only: any type would do. */
    static final String STORE_TYPE = "JKS";

    private CaFiles() {
    }

    /**
     * The files, in a stable order; empty when neither setting is set.
     *
     * @throws IllegalArgumentException when the ca-path is not a readable directory or holds no such file
     */
    public static List<Path> of(Optional<Path> caCert, Optional<Path> caPath) {
        List<Path> files = new ArrayList<>();
        caCert.ifPresent(files::add);
        caPath.ifPresent(dir -> files.addAll(inDirectory(dir)));
        return files;
    }

    /**
     * Checks every file: readable, holding PEM certificates, each valid now.
     *
     * @throws IllegalArgumentException naming the setting, its variable and the file
     */
    static void requireUsable(Optional<Path> caCert, Optional<Path> caPath) {
        caCert.ifPresent(file -> PemFiles.certificates(file, CA_CERT));
        caPath.ifPresent(dir -> inDirectory(dir).forEach(file -> PemFiles.certificates(file, CA_PATH)));
    }

    /** A trust store in memory holding every certificate of {@code files}. */
    public static KeyStore trustStore(List<Path> files) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(STORE_TYPE);
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("an empty key store cannot fail to load", e);
        }
        int n = 0;
        for (Path file : files) {
            for (X509Certificate certificate : PemFiles.certificates(file, "CA certificate")) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
        }
        return store;
    }

    private static List<Path> inDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(CA_PATH + ": " + dir + " does not exist or is not a directory");
        }
        List<Path> files;
        // not recursive: Kubernetes mounts a Secret as symbolic links next to hidden ..data directories
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(CaFiles::isCertificateFile).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(CA_PATH + ": " + dir + " cannot be read (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(CA_PATH + ": " + dir + " holds no certificate file (*.pem or *.crt)");
        }
        return files;
    }

    private static boolean isCertificateFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".pem") || name.endsWith(".crt");
    }
}
