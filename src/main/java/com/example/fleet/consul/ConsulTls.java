package com.example.fleet.consul;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.regex.Pattern;

import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.consul.ConsulClientOptions;

/**
 * HTTPS towards the agent from {@link ConsulSettings.Tls}: checks the PEM files when the application starts, so a
 * missing, unreadable, expired or incomplete one stops the start with a message naming the setting and the file,
 * and applies them to every Consul client. A certificate the agent changes later shows in readiness through the
 * failing requests.
 */
public final class ConsulTls {

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (RSA |EC )?PRIVATE KEY-----");

    private ConsulTls() {
    }

    /**
     * @throws IllegalArgumentException naming the setting, its variable and the file
     */
    public static void requireUsable(ConsulSettings.Tls tls) {
        tls.caCert().ifPresent(file -> certificates(file, "fleet.consul.tls.ca-cert (CONSUL_CACERT)"));
        if (tls.clientCert().isPresent() != tls.clientKey().isPresent()) {
            throw new IllegalArgumentException("fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT) and"
                    + " fleet.consul.tls.client-key (CONSUL_CLIENT_KEY) go together, but only "
                    + (tls.clientCert().isPresent() ? "the certificate " + tls.clientCert().get()
                            : "the key " + tls.clientKey().get())
                    + " is set");
        }
        tls.clientCert().ifPresent(file -> certificates(file, "fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT)"));
        tls.clientKey().ifPresent(file -> {
            if (!PRIVATE_KEY.matcher(read(file, "fleet.consul.tls.client-key (CONSUL_CLIENT_KEY)")).find()) {
                throw new IllegalArgumentException("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + file
                        + " holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)");
            }
        });
    }

    /** Sets HTTPS and the files on {@code options} when {@code https}; plain HTTP otherwise. */
    static ConsulClientOptions apply(ConsulClientOptions options, boolean https, ConsulSettings.Tls tls) {
        options.setSsl(https);
        if (!https) {
            return options;
        }
        tls.caCert().ifPresent(ca -> options.setPemTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        if (tls.clientCert().isPresent() && tls.clientKey().isPresent()) {
            options.setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.clientCert().get().toString())
                    .setKeyPath(tls.clientKey().get().toString()));
        }
        if (!tls.verify()) {
            options.setTrustAll(true).setVerifyHost(false);
        }
        return options;
    }

    private static void certificates(Path file, String setting) {
        read(file, setting);
        Collection<? extends java.security.cert.Certificate> found;
        try (InputStream in = Files.newInputStream(file)) {
            found = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(setting + ": " + file + " is not a PEM certificate (" + e.getMessage()
                    + ")");
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(setting + ": " + file + " holds no PEM certificate");
        }
        for (X509Certificate certificate : found.stream().map(X509Certificate.class::cast).toList()) {
            try {
                certificate.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                        + certificate.getSubjectX500Principal() + ") expired on " + certificate.getNotAfter());
            } catch (CertificateNotYetValidException e) {
                throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                        + certificate.getSubjectX500Principal() + ") is valid only from " + certificate.getNotBefore());
            }
        }
    }

    private static String read(Path file, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + ": " + file + " does not exist or is not a file");
        }
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be read (" + e.getMessage() + ")");
        }
    }
}
