package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.ConsulCertificates;

/** The PEM files are checked when the application starts; each bad one is named with its setting. */
class ConsulTlsTest {

    @TempDir
    Path dir;

    private static TlsSettings tls(Path ca, Path cert, Path key) {
        return new TestTls(ca, null, cert, key, null);
    }

    private static TlsSettings caPath(Path dir) {
        return new TestTls(null, dir, null, null, null);
    }

    @Test
    void theFilesConsulTlsWritesAreAcceptedAsTheyAre() {
        ConsulCertificates files = ConsulCertificates.create(dir.resolve("certs"));

        assertThatCode(() -> ConsulTls.requireUsable(tls(files.ca(), files.clientCert(), files.clientKey())))
                .doesNotThrowAnyException();
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDate() throws Exception {
        Path expired = expiredCertificate();

        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(expired, null, null)))
                .hasMessageContaining("fleet.consul.tls.ca-cert (CONSUL_CACERT)").hasMessageContaining(expired.toString())
                .hasMessageContaining("expired on");
    }

    @Test
    void filesThatHoldSomethingElseAreNamed() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate\n");
        Path notKey = Files.writeString(dir.resolve("key.pem"), "-----BEGIN CERTIFICATE-----\n");
        ConsulCertificates files = ConsulCertificates.create(dir.resolve("certs"));

        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(notPem, null, null)))
                .hasMessageContaining("fleet.consul.tls.ca-cert (CONSUL_CACERT): " + notPem);
        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(null, files.clientCert(), notKey)))
                .hasMessageContaining("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + notKey)
                .hasMessageContaining("holds no PEM private key");
        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(null, null, files.clientKey())))
                .hasMessageContaining("only the key " + files.clientKey() + " is set");
    }

    @Test
    void aKeyOfAnotherPairIsRefusedNamingBothSettingsAndFiles() throws Exception {
        ConsulCertificates files = ConsulCertificates.create(dir.resolve("certs"));

        // consul tls writes SEC1 EC keys (BEGIN EC PRIVATE KEY): the client's own key is its certificate's
        assertThatCode(() -> ConsulTls.requireUsable(tls(null, files.clientCert(), files.clientKey())))
                .doesNotThrowAnyException();
        Path broken = Files.writeString(dir.resolve("broken-key.pem"),
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(null, files.clientCert(), broken)))
                .hasMessageContaining("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + broken
                        + " cannot be read as a PEM private key");
        assertThatThrownBy(() -> ConsulTls.requireUsable(tls(null, files.clientCert(), files.serverKey())))
                .hasMessageContaining("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + files.serverKey())
                .hasMessageContaining("is not the key of the certificate in fleet.consul.tls.client-cert"
                        + " (CONSUL_CLIENT_CERT): " + files.clientCert());
    }

    @Test
    void aCaPathIsADirectoryOfCertificatesEachOfThemChecked() throws Exception {
        ConsulCertificates files = ConsulCertificates.create(dir.resolve("certs"));
        Path cas = Files.createDirectories(dir.resolve("cas"));
        Files.copy(files.ca(), cas.resolve("consul-agent-ca.pem"));
        Files.copy(expiredCertificate(), cas.resolve("other.crt"));
        Files.writeString(cas.resolve("README.txt"), "not read: neither *.pem nor *.crt\n");

        assertThatThrownBy(() -> ConsulTls.requireUsable(caPath(cas)))
                .hasMessageContaining("fleet.consul.tls.ca-path (CONSUL_CAPATH): the certificate in "
                        + cas.resolve("other.crt")).hasMessageContaining("expired on");
        Files.delete(cas.resolve("other.crt"));
        assertThatCode(() -> ConsulTls.requireUsable(caPath(cas))).doesNotThrowAnyException();
        assertThat(ConsulTls.requireUsable(new TestTls(files.ca(), cas, null, null, null)).texts().stream()
                .map(TlsMaterial.PemText::file)).containsExactly(files.ca(), cas.resolve("consul-agent-ca.pem"));
    }

    @Test
    void aCaPathThatIsNoDirectoryHoldsNoCertificateOrAKeyIsNamed() throws Exception {
        ConsulCertificates files = ConsulCertificates.create(dir.resolve("certs"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "no certificate here\n");

        assertThatThrownBy(() -> ConsulTls.requireUsable(caPath(files.ca())))
                .hasMessage("fleet.consul.tls.ca-path (CONSUL_CAPATH): " + files.ca()
                        + " does not exist or is not a directory");
        assertThatThrownBy(() -> ConsulTls.requireUsable(caPath(empty)))
                .hasMessage("fleet.consul.tls.ca-path (CONSUL_CAPATH): " + empty
                        + " holds no certificate file (*.pem or *.crt)");
        // the directory consul tls wrote into also holds the CA's private key
        assertThatThrownBy(() -> ConsulTls.requireUsable(caPath(dir.resolve("certs"))))
                .hasMessageContaining("fleet.consul.tls.ca-path (CONSUL_CAPATH): "
                        + dir.resolve("certs/consul-agent-ca-key.pem")).hasMessageContaining("holds no PEM certificate");
    }

    @Test
    void aServerNameMustBeAHostNameOrAnAddress() {
        for (String name : new String[] { "client.dc1.consul", "localhost", "127.0.0.21", "::1" }) {
            assertThatCode(() -> ConsulTls.requireUsable(TestTls.ca(null).withServerName(name)))
                    .doesNotThrowAnyException();
        }
        for (String name : new String[] { "https://client.dc1.consul", "client.dc1.consul:8501", "*.dc1.consul" }) {
            assertThatThrownBy(() -> ConsulTls.requireUsable(TestTls.ca(null).withServerName(name)))
                    .hasMessageStartingWith("fleet.consul.tls.server-name (CONSUL_TLS_SERVER_NAME): '" + name
                            + "' is not a DNS name or IP address");
        }
    }

    /** A self-signed certificate whose validity ended yesterday, made by the JDK's keytool. */
    private Path expiredCertificate() {
        return ConsulCertificates.selfSignedPair(dir, "old", "-3d", 1).get(0);
    }
}
