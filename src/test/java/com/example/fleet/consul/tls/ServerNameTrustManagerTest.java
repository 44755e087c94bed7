package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.consul.tls.ServerNameTrustManager.NameMismatchException;
import com.example.fleet.testing.ConsulCertificates;

/**
 * The agent's certificate is checked against the configured server name, on a server certificate as
 * {@code consul tls cert create -server} writes it: DNS server.dc1.consul, localhost, a wildcard added, IP
 * 127.0.0.1.
 */
class ServerNameTrustManagerTest {

    private static final String SETTING = "fleet.consul.tls.server-name (CONSUL_TLS_SERVER_NAME)";
    /** TLS 1.2's name for the handshake of an EC certificate; what Vert.x passes on such a connection. */
    private static final String AUTH_TYPE = "ECDHE_ECDSA";

    @TempDir
    static Path dir;
    private static ConsulCertificates certificates;
    private static X509Certificate[] serverChain;

    @BeforeAll
    static void createCertificates() {
        certificates = ConsulCertificates.create(dir.resolve("certs"), "*.agents.dc1.consul");
        serverChain = certificates(certificates.serverCert()).toArray(X509Certificate[]::new);
    }

    private static List<X509Certificate> certificates(Path pem) {
        try {
            return PemFiles.certificates(Files.readString(pem), pem, SETTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerNameTrustManager trusting(Path ca, String serverName) throws Exception {
        return ServerNameTrustManager.create(Optional.of(CaFiles.trustStore(certificates(ca))), serverName, SETTING);
    }

    @Test
    void eachNameTheCertificateCarriesIsAccepted() throws Exception {
        for (String name : List.of("server.dc1.consul", "LOCALHOST.", "127.0.0.1", "node-7.agents.dc1.consul")) {
            assertThatCode(() -> trusting(certificates.ca(), name).checkServerTrusted(serverChain, AUTH_TYPE))
                    .as(name).doesNotThrowAnyException();
        }
    }

    @Test
    void anotherNameIsRefusedNamingTheExpectedNameAndWhatTheCertificateCarries() {
        assertThatThrownBy(() -> trusting(certificates.ca(), "client.dc1.consul")
                .checkServerTrusted(serverChain, AUTH_TYPE))
                .isInstanceOf(NameMismatchException.class)
                .hasMessageContaining("names DNS:*.agents.dc1.consul, DNS:server.dc1.consul, DNS:localhost,"
                        + " IP:127.0.0.1 but not client.dc1.consul, which " + SETTING + " expects");
    }

    @Test
    void aWildcardStandsForExactlyOneLeftMostLabelAndAnAddressMatchesOnlyAnIpEntry() {
        for (String name : List.of("agents.dc1.consul", "a.b.agents.dc1.consul", "127.0.0.21", "::1")) {
            assertThatThrownBy(() -> trusting(certificates.ca(), name).checkServerTrusted(serverChain, AUTH_TYPE))
                    .as(name).isInstanceOf(NameMismatchException.class);
        }
    }

    @Test
    void theNameDoesNotReplaceTheChain() {
        ConsulCertificates otherCa = ConsulCertificates.create(dir.resolve("other"));

        assertThatThrownBy(() -> trusting(otherCa.ca(), "server.dc1.consul").checkServerTrusted(serverChain, AUTH_TYPE))
                .isInstanceOf(CertificateException.class).isNotInstanceOf(NameMismatchException.class)
                .hasMessageContaining("PKIX");
    }
}
