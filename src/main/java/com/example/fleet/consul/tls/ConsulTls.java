package com.example.fleet.consul.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.X509TrustManager;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.consul.ConsulClientOptions;

/**
 * HTTPS towards the agent from {@link TlsSettings}: checks the PEM files when the application starts, so a
 * missing, unreadable, expired or incomplete one stops the start with a message naming the setting and the file,
 * and applies the material read from them ({@link TlsMaterial}, kept current by {@link TlsMaterialWatch}) to every
 * Consul client. A certificate the agent changes later shows in readiness through the failing requests.
 */
public final class ConsulTls {

    static final String CLIENT_CERT = "fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT)";
    static final String CLIENT_KEY = "fleet.consul.tls.client-key (CONSUL_CLIENT_KEY)";
    static final String SERVER_NAME = "fleet.consul.tls.server-name (CONSUL_TLS_SERVER_NAME)";
    private static final Pattern DNS_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private ConsulTls() {
    }

    /**
     * Reads and checks the files the settings name.
     *
     * @throws IllegalArgumentException naming the setting, its variable and the file
     */
    public static TlsMaterial requireUsable(TlsSettings tls) {
        tls.serverName().ifPresent(ConsulTls::requireHostName);
        return TlsMaterial.read(tls);
    }

    /**
     * Sets HTTPS on {@code options} when {@code https}, with the material read from the files, or what
     * {@code overrides} gives instead; plain HTTP otherwise.
     */
    public static ConsulClientOptions apply(ConsulClientOptions options, boolean https, TlsSettings tls,
            TlsMaterial material, TlsOverrides overrides) {
        options.setSsl(https);
        if (!https) {
            return options;
        }
        if (!tls.verify() && !overrides.verifies()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else {
            applyTrust(options, tls, material, overrides);
        }
        if (overrides.keyStore().isPresent()) {
            options.setKeyCertOptions(overrides.keyStore().get().keyCertOptions());
        } else {
            material.client().ifPresent(pair -> options.setKeyCertOptions(KeyCertOptions.wrap(pair.keys())));
        }
        return options;
    }

    /**
     * The agent's certificate must chain to {@code cas} (else the JVM's CAs) and, with a server name, carry it: the
     * check every client of the application shares. Empty: the JVM's own check of the host connected to.
     */
    static Optional<X509TrustManager> trustManager(TlsSettings tls, List<X509Certificate> cas) {
        Optional<KeyStore> anchors = cas.isEmpty() ? Optional.empty() : Optional.of(CaFiles.trustStore(cas));
        if (tls.serverName().isPresent()) {
            return Optional.of(serverNameTrust(anchors, tls.serverName().get()));
        }
        return anchors.map(CaFiles::trustManager);
    }

    /** The agent's certificate must chain to the trust store or CA files (else the JVM's CAs) and name the agent. */
    private static void applyTrust(ConsulClientOptions options, TlsSettings tls, TlsMaterial material,
            TlsOverrides overrides) {
        Optional<TlsStore> store = overrides.trustStore();
        boolean checkHost = overrides.verifyHost().orElse(true);
        if (store.isEmpty() && checkHost) {
            // Vert.x verifies a certificate only against the host it connects to: with a server name, the material's
            // trust manager checks the name
            options.setVerifyHost(tls.serverName().isEmpty());
            material.trust().ifPresent(trust -> options.setTrustOptions(TrustOptions.wrap(trust)));
            return;
        }
        if (checkHost && tls.serverName().isPresent()) {
            options.setVerifyHost(false).setTrustOptions(TrustOptions.wrap(serverNameTrust(
                    Optional.of(store.get().keyStore()), tls.serverName().get())));
            return;
        }
        options.setVerifyHost(checkHost);
        if (store.isPresent()) {
            options.setTrustOptions(store.get().trustOptions());
        } else if (!material.authorities().isEmpty()) {
            options.setTrustOptions(TrustOptions.wrap(CaFiles.trustManager(CaFiles.trustStore(
                    material.authorities()))));
        }
    }

    private static ServerNameTrustManager serverNameTrust(Optional<KeyStore> anchors, String serverName) {
        try {
            return ServerNameTrustManager.create(anchors, serverName, SERVER_NAME);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the trust anchors became unusable: " + e.getMessage(), e);
        }
    }

    private static void requireHostName(String name) {
        if (!DNS_NAME.matcher(name).matches() && !(CertificateNames.isIpAddress(name) && isAddressLiteral(name))) {
            throw new IllegalArgumentException(SERVER_NAME + ": '" + name + "' is not a DNS name or IP address (the"
                    + " name the agent's certificate carries, such as client.dc1.consul; no scheme or port)");
        }
    }

    private static boolean isAddressLiteral(String name) {
        try {
            // a literal (isIpAddress): parsed, never looked up
            InetAddress.getByName(name);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
