package com.example.fleet.consul.tls;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * HTTPS towards the agent ({@code fleet.consul.tls}), with the PEM files the {@code consul tls} commands write, used
 * as they are. The files are read again every second ({@link TlsMaterialWatch}): rotated ones are used by the next
 * connections without a restart.
 */
public interface TlsSettings {
    /** Use HTTPS even when the address has no scheme. Default: CONSUL_HTTP_SSL. */
    @WithDefault("false")
    boolean enabled();

    /**
     * PEM file of the CA certificate(s) the agent's certificate must chain to. Default: CONSUL_CACERT; without
     * it and {@link #caPath()}, the JVM's trusted CAs.
     */
    Optional<Path> caCert();

    /**
     * Directory of PEM CA certificates (every {@code *.pem} and {@code *.crt} file directly in it), trusted
     * together with {@link #caCert()}. Default: CONSUL_CAPATH.
     */
    Optional<Path> caPath();

    /** PEM certificate this client presents (agents with verify_incoming require one). Default: CONSUL_CLIENT_CERT. */
    Optional<Path> clientCert();

    /** PEM private key of {@link #clientCert()} (PKCS#8, RSA or EC as consul tls writes it). Default: CONSUL_CLIENT_KEY. */
    Optional<Path> clientKey();

    /**
     * The name the agent's certificate must carry (a DNS name or IP address among its subjectAltNames), checked
     * instead of the host of {@code fleet.consul.address} when it differs from it: for an agent reached at a node
     * address whose certificate names only, say, {@code client.dc1.consul}. Default: CONSUL_TLS_SERVER_NAME;
     * without it, the host of the address.
     */
    Optional<String> serverName();

    /** Verify the agent's certificate and host name; false only for experiments. Default: CONSUL_HTTP_SSL_VERIFY. */
    @WithDefault("true")
    boolean verify();
}
