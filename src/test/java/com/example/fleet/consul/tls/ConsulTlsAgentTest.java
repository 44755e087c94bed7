package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.tls.ServerNameTrustManager.NameMismatchException;
import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The Vert.x clients {@link ConsulTls} configures, against a real agent that serves HTTPS on 127.0.0.31 only, with
 * a certificate naming server.dc1.consul, localhost and 127.0.0.1 but not that address: a node address.
 */
class ConsulTlsAgentTest {

    private static final String NODE_ADDRESS = "127.0.0.31";

    @TempDir
    static Path dir;
    private static ConsulCertificates certificates;
    private static ConsulDevAgent agent;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        certificates = ConsulCertificates.create(dir.resolve("certs"));
        agent = ConsulDevAgent.startWithHttps(certificates, false, NODE_ADDRESS);
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

    /** Asks the agent for its leader over HTTPS at the node address, with {@code tls}. */
    private static String leader(TlsSettings tls) {
        ConsulClientOptions options = ConsulTls.apply(new ConsulClientOptions().setHost(NODE_ADDRESS)
                .setPort(URI.create(agent.httpsAddress()).getPort()).setTimeout(5_000), true, tls,
                ConsulTls.requireUsable(tls), TlsOverrides.NONE);
        ConsulClient client = ConsulClient.create(vertx, options);
        try {
            return client.leaderStatus().await().atMost(Duration.ofSeconds(10));
        } finally {
            client.close();
        }
    }

    private static Throwable failureOf(TlsSettings tls) {
        Throwable failure = catchThrowable(() -> leader(tls));
        assertThat(failure).as("the handshake failed").isNotNull();
        return failure;
    }

    @Test
    void withTheServerNameTheAgentIsTrustedAtAnAddressItsCertificateDoesNotName() {
        assertThat(leader(TestTls.ca(certificates.ca()).withServerName("server.dc1.consul"))).isNotEmpty();
    }

    private static String described(Throwable failure) {
        return ConsulErrors.describe(failure, "register x", "service:write", "(CONSUL_HTTP_TOKEN)");
    }

    @Test
    void withoutAServerNameTheHostConnectedToIsVerifiedAsBeforeAndTheReasonNamesTheSetting() {
        Throwable failure = failureOf(TestTls.ca(certificates.ca()));

        assertThat(failure).hasRootCauseMessage("No subject alternative names matching IP address " + NODE_ADDRESS
                + " found");
        assertThat(described(failure)).isEqualTo("Consul TLS handshake failed while trying to register x: the agent's"
                + " certificate does not name the host of CONSUL_HTTP_ADDR (No subject alternative names matching IP"
                + " address 127.0.0.31 found); set fleet.consul.tls.server-name (CONSUL_TLS_SERVER_NAME) to a name it"
                + " carries");
    }

    @Test
    void aServerNameTheCertificateDoesNotCarryFailsTheHandshakeSayingWhatItCarries() {
        Throwable failure = failureOf(TestTls.ca(certificates.ca()).withServerName("client.dc1.consul"));

        assertThat(failure).hasCauseInstanceOf(SSLException.class).hasRootCauseInstanceOf(NameMismatchException.class)
                .rootCause().hasMessageContaining("names DNS:server.dc1.consul, DNS:localhost, IP:127.0.0.1 but not"
                        + " client.dc1.consul");
        assertThat(described(failure)).startsWith("Consul TLS handshake failed while trying to register x: the"
                + " agent's certificate (CN=server.dc1.consul) names").endsWith("; check fleet.consul.tls.server-name"
                + " (CONSUL_TLS_SERVER_NAME)");
    }

    @Test
    void aCertificateFromACaNotTrustedNamesTheCaSettings() {
        ConsulCertificates unrelated = ConsulCertificates.create(dir.resolve("unrelated"));

        for (TlsSettings tls : new TlsSettings[] { TestTls.ca(unrelated.ca()),
                TestTls.ca(unrelated.ca()).withServerName("server.dc1.consul") }) {
            assertThat(described(failureOf(tls))).startsWith("Consul TLS handshake failed while trying to register"
                    + " x: the agent's certificate is not signed by a CA this client trusts (").endsWith("); check"
                    + " fleet.consul.tls.ca-cert (CONSUL_CACERT) and fleet.consul.tls.ca-path (CONSUL_CAPATH)");
        }
    }
}
