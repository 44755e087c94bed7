package com.example.fleet.consul.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CA certificates the agent's certificate must chain to: the file of {@code fleet.consul.tls.ca-cert}
 * (CONSUL_CACERT) and every {@code *.pem} and {@code *.crt} file directly in the directory of
 * {@code fleet.consul.tls.ca-path} (CONSUL_CAPATH), together when both are set. Neither: the JVM's trusted CAs.
 */
final class CaFiles {

    static final String CA_CERT = "fleet.consul.tls.ca-cert (CONSUL_CACERT)";
    static final String CA_PATH = "fleet.consul.tls.ca-path (CONSUL_CAPATH)";
    /** In memory only: any type would do. */
    static final String STORE_TYPE = "JKS";

    private CaFiles() {
    }

    /** A trust store in memory holding {@code authorities}. */
    static KeyStore trustStore(List<X509Certificate> authorities) {
        try {
            KeyStore store = KeyStore.getInstance(STORE_TYPE);
            store.load(null, null);
            int n = 0;
            for (X509Certificate authority : authorities) {
                store.setCertificateEntry("ca-" + n++, authority);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("an empty key store in memory cannot fail to load or take a certificate",
                    e);
        }
    }

    /** The JDK's check of a chain against exactly the certificates of {@code anchors}; null: the JVM's CAs. */
    static X509TrustManager trustManager(KeyStore anchors) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's trust manager cannot fail on certificates it parsed", e);
        }
    }

    /**
     * The certificate files of {@code dir}, in a stable order.
     *
     * @throws IllegalArgumentException when it is not a readable directory or holds no such file
     */
    static List<Path> inDirectory(Path dir) {
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
