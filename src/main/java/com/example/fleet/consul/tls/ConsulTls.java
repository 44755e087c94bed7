package com.example.fleet.consul.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.consul.ConsulClientOptions;

/**
 * HTTPS towards the agent from {@link TlsSettings}: checks the PEM files when the application starts, so a
 * missing, unreadable, expired or incomplete one stops the start with a message naming the setting and the file,
 * and applies them to every Consul client. A certificate the agent changes later shows in readiness through the
 * failing requests.
 */
public final class ConsulTls {

    static final String CLIENT_CERT = "fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT)";
    static final String CLIENT_KEY = "fleet.consul.tls.client-key (CONSUL_CLIENT_KEY)";
    static final String SERVER_NAME = "fleet.consul.tls.server-name (CONSUL_TLS_SERVER_NAME)";
    private static final Pattern DNS_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (RSA |EC )?PRIVATE KEY-----");

    private ConsulTls() {
    }

    /**
     * @throws IllegalArgumentException naming the setting, its variable and the file
     */
    public static void requireUsable(TlsSettings tls) {
        CaFiles.requireUsable(tls.caCert(), tls.caPath());
        tls.serverName().ifPresent(ConsulTls::requireHostName);
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
    public static ConsulClientOptions apply(ConsulClientOptions options, boolean https, TlsSettings tls) {
        return apply(options, https, tls, TlsOverrides.NONE);
    }

    /** The same, with what {@code overrides} gives instead of the application's settings. */
    public static ConsulClientOptions apply(ConsulClientOptions options, boolean https, TlsSettings tls,
            TlsOverrides overrides) {
        options.setSsl(https);
        if (!https) {
            return options;
        }
        if (!tls.verify() && !overrides.verifies()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else {
            applyTrust(options, tls, overrides);
        }
        if (overrides.keyStore().isPresent()) {
            options.setKeyCertOptions(overrides.keyStore().get().keyCertOptions());
        } else if (tls.clientCert().isPresent() && tls.clientKey().isPresent()) {
            options.setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.clientCert().get().toString())
                    .setKeyPath(tls.clientKey().get().toString()));
        }
        return options;
    }

    /** The agent's certificate must chain to the trust store or CA files (else the JVM's CAs) and name the agent. */
    private static void applyTrust(ConsulClientOptions options, TlsSettings tls, TlsOverrides overrides) {
        Optional<TlsStore> store = overrides.trustStore();
        List<Path> cas = store.isPresent() ? List.of() : CaFiles.of(tls.caCert(), tls.caPath());
        boolean checkHost = overrides.verifyHost().orElse(true);
        if (checkHost && tls.serverName().isPresent()) {
            // Vert.x verifies a certificate only against the host it connects to: the trust manager checks the name
            Optional<KeyStore> anchors = store.map(TlsStore::keyStore).or(() -> caStore(cas));
            options.setVerifyHost(false).setTrustOptions(TrustOptions.wrap(serverNameTrust(anchors,
                    tls.serverName().get())));
            return;
        }
        options.setVerifyHost(checkHost);
        if (store.isPresent()) {
            options.setTrustOptions(store.get().trustOptions());
        } else if (!cas.isEmpty()) {
            PemTrustOptions trust = new PemTrustOptions();
            cas.forEach(ca -> trust.addCertPath(ca.toString()));
            options.setPemTrustOptions(trust);
        }
    }

    private static ServerNameTrustManager serverNameTrust(Optional<KeyStore> anchors, String serverName) {
        try {
            return ServerNameTrustManager.create(anchors, serverName, SERVER_NAME);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the trust anchors became unusable: " + e.getMessage(), e);
        }
    }

    private static Optional<KeyStore> caStore(List<Path> cas) {
        if (cas.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CaFiles.trustStore(cas));
        } catch (GeneralSecurityException e) {
            // requireUsable read every file at start
            throw new IllegalStateException("the CA files became unusable: " + e.getMessage(), e);
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
