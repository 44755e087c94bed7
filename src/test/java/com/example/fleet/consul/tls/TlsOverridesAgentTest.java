package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Key stores and verify-host in place of the application's TLS settings (what a discovery naming another agent
 * gives), against a real agent that requires a client certificate and serves HTTPS on 127.0.0.33 only, an address
 * its certificate does not name. The application's own settings here trust a CA that did not sign it.
 */
class TlsOverridesAgentTest {

    private static final String NODE_ADDRESS = "127.0.0.33";

    @TempDir
    static Path dir;
    private static ConsulCertificates certificates;
    private static TlsSettings application;
    private static ConsulDevAgent agent;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        certificates = ConsulCertificates.create(dir.resolve("certs"));
        application = TestTls.ca(ConsulCertificates.create(dir.resolve("unrelated")).ca());
        agent = ConsulDevAgent.startWithHttps(certificates, true, NODE_ADDRESS);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static Optional<TlsStore> trustStore() {
        return Optional.of(TlsStore.trust(certificates.trustStore(dir.resolve("trust.p12"), "changeit", "PKCS12"),
                "changeit", "trust-store-path"));
    }

    private static Optional<TlsStore> keyStore() {
        return Optional.of(TlsStore.keys(certificates.clientKeyStore(dir.resolve("keys.jks"), "secret", "JKS"),
                "secret", "key-store-path"));
    }

    /** Asks the agent for its leader over HTTPS at the node address. */
    private static String leader(TlsSettings tls, TlsOverrides overrides) {
        ConsulClientOptions options = ConsulTls.apply(new ConsulClientOptions().setHost(NODE_ADDRESS)
                .setPort(URI.create(agent.httpsAddress()).getPort()).setTimeout(5_000), true, tls,
                ConsulTls.requireUsable(tls), overrides);
        ConsulClient client = ConsulClient.create(vertx, options);
        try {
            return client.leaderStatus().await().atMost(Duration.ofSeconds(10));
        } finally {
            client.close();
        }
    }

    private static String failure(TlsSettings tls, TlsOverrides overrides) {
        Throwable failure = catchThrowable(() -> leader(tls, overrides));
        assertThat(failure).as("the handshake failed").isNotNull();
        return ConsulErrors.describe(failure, "watch", "service:read", "(CONSUL_HTTP_TOKEN)");
    }

    @Test
    void theStoresReplaceTheApplicationsFilesAndVerifyHostFalseLeavesOnlyTheHostNameUnchecked() {
        assertThat(leader(application, new TlsOverrides(trustStore(), keyStore(), Optional.of(false)))).isNotEmpty();
    }

    @Test
    void withTheTrustStoreTheHostNameIsStillCheckedUnlessVerifyHostIsFalse() {
        assertThat(failure(application, new TlsOverrides(trustStore(), keyStore(), Optional.empty())))
                .contains("does not name the host").contains(NODE_ADDRESS);
    }

    @Test
    void withTheApplicationsServerNameTheTrustStoreIsItsAnchor() {
        TlsSettings named = ((TestTls) application).withServerName("server.dc1.consul");

        assertThat(leader(named, new TlsOverrides(trustStore(), keyStore(), Optional.empty()))).isNotEmpty();
    }

    @Test
    void withoutTheKeyStoreTheAgentRefusesTheClient() {
        assertThat(failure(application, new TlsOverrides(trustStore(), Optional.empty(), Optional.of(false))))
                .contains("the agent refused this client's certificate");
    }

    @Test
    void withoutTheTrustStoreTheApplicationsCaDoesNotTrustThisAgent() {
        assertThat(failure(application, new TlsOverrides(Optional.empty(), keyStore(), Optional.of(false))))
                .contains("not signed by a CA this client trusts");
    }
}
