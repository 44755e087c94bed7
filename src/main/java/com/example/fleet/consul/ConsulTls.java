package com.example.fleet.consul;

import java.nio.file.Path;
import java.util.List;
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

    static final String CLIENT_CERT = "fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT)";
    static final String CLIENT_KEY = "fleet.consul.tls.client-key (CONSUL_CLIENT_KEY)";
    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (RSA |EC )?PRIVATE KEY-----");

    private ConsulTls() {
    }

    /**
     * @throws IllegalArgumentException naming the setting, its variable and the file
     */
    public static void requireUsable(ConsulSettings.Tls tls) {
        CaFiles.requireUsable(tls.caCert(), tls.caPath());
        if (tls.clientCert().isPresent() != tls.clientKey().isPresent()) {
            throw new IllegalArgumentException(CLIENT_CERT + " and " + CLIENT_KEY + " go together, but only "
                    + (tls.clientCert().isPresent() ? "the certificate " + tls.clientCert().get()
                            : "the key " + tls.clientKey().get())
                    + " is set");
        }
        tls.clientCert().ifPresent(file -> PemFiles.certificates(file, CLIENT_CERT));
        tls.clientKey().ifPresent(file -> {
            if (!PRIVATE_KEY.matcher(PemFiles.read(file, CLIENT_KEY)).find()) {
                throw new IllegalArgumentException(CLIENT_KEY + ": " + file
                        + " holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)");
            }
            ClientKeyPair.requireMatching(tls.clientCert().get(), file);
        });
    }

    /** Sets HTTPS and the files on {@code options} when {@code https}; plain HTTP otherwise. */
    static ConsulClientOptions apply(ConsulClientOptions options, boolean https, ConsulSettings.Tls tls) {
        options.setSsl(https);
        if (!https) {
            return options;
        }
        List<Path> cas = CaFiles.of(tls.caCert(), tls.caPath());
        if (!cas.isEmpty()) {
            PemTrustOptions trust = new PemTrustOptions();
            cas.forEach(ca -> trust.addCertPath(ca.toString()));
            options.setPemTrustOptions(trust);
        }
        if (tls.clientCert().isPresent() && tls.clientKey().isPresent()) {
            options.setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.clientCert().get().toString())
                    .setKeyPath(tls.clientKey().get().toString()));
        }
        if (!tls.verify()) {
            options.setTrustAll(true).setVerifyHost(false);
        }
        return options;
    }
}
