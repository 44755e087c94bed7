package com.example.fleet.consul.tls;

import java.nio.file.Path;
import java.util.Optional;

/** {@link TlsSettings} as the mapping gives it, HTTPS on and verifying; null for a setting that is not set. */
public record TestTls(Path ca, Path caDir, Path cert, Path key, String server) implements TlsSettings {

    public static TestTls ca(Path ca) {
        return new TestTls(ca, null, null, null, null);
    }

    public TestTls withServerName(String name) {
        return new TestTls(ca, caDir, cert, key, name);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Optional<Path> caCert() {
        return Optional.ofNullable(ca);
    }

    @Override
    public Optional<Path> caPath() {
        return Optional.ofNullable(caDir);
    }

    @Override
    public Optional<Path> clientCert() {
        return Optional.ofNullable(cert);
    }

    @Override
    public Optional<Path> clientKey() {
        return Optional.ofNullable(key);
    }

    @Override
    public Optional<String> serverName() {
        return Optional.ofNullable(server);
    }

    @Override
    public boolean verify() {
        return true;
    }
}
