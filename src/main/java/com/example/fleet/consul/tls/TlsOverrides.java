package com.example.fleet.consul.tls;

import java.util.Optional;

/**
 * TLS material one Consul client uses instead of the application's {@code fleet.consul.tls} settings; each part
 * left empty stays the application's.
 *
 * @param trustStore replaces the CA files: the agent's certificate must chain to one of its certificates
 * @param keyStore replaces the client certificate and key
 * @param verifyHost false: the agent's certificate need not name the host (its chain is still checked); true: it
 *        must, also when the application does not verify at all
 */
public record TlsOverrides(Optional<TlsStore> trustStore, Optional<TlsStore> keyStore, Optional<Boolean> verifyHost) {

    public static final TlsOverrides NONE = new TlsOverrides(Optional.empty(), Optional.empty(), Optional.empty());

    /** Whether anything about verification is set here, which then turns the application's verify=false off. */
    boolean verifies() {
        return trustStore.isPresent() || verifyHost.isPresent();
    }
}
