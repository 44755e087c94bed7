package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.example.fleet.testing.ConsulCertificates;

/** Key store files are opened when the application starts; each one that cannot serve is named with its setting. */
class TlsStoreTest {

    private static final String SETTING = "quarkus.stork.svc.service-discovery.trust-store-path";

    @TempDir
    static Path dir;
    private static ConsulCertificates certificates;

    @BeforeAll
    static void createCertificates() {
        certificates = ConsulCertificates.create(dir.resolve("certs"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "PKCS12", "JKS" })
    void storesOfEitherTypeOpenWithTheirPassword(String type) throws Exception {
        Path trust = certificates.trustStore(dir.resolve("trust-" + type), "changeit", type);
        Path keys = certificates.clientKeyStore(dir.resolve("keys-" + type), "secret", type);

        assertThat(TlsStore.trust(trust, "changeit", SETTING).keyStore().size()).isOne();
        assertThat(TlsStore.keys(keys, "secret", "key-store-path").keyCertOptions()).isNotNull();
    }

    @Test
    void aJksTrustStoreOpensWithoutItsPasswordAsTheJdkAllows() {
        Path trust = certificates.trustStore(dir.resolve("trust-open.jks"), "changeit", "JKS");

        assertThat(TlsStore.trust(trust, "", SETTING).trustOptions()).isNotNull();
    }

    @Test
    void aMissingFileIsNamedWithTheSetting() {
        Path missing = dir.resolve("missing.p12");

        assertThatThrownBy(() -> TlsStore.trust(missing, "changeit", SETTING))
                .hasMessage(SETTING + ": " + missing + " does not exist or is not a file");
    }

    @Test
    void aWrongPasswordIsSaid() {
        Path trust = certificates.trustStore(dir.resolve("trust-pw.p12"), "changeit", "PKCS12");

        assertThatThrownBy(() -> TlsStore.trust(trust, "wrong", SETTING))
                .hasMessage(SETTING + ": the password does not open " + trust);
    }

    @Test
    void aPemFileIsNoKeyStore() {
        assertThatThrownBy(() -> TlsStore.trust(certificates.ca(), "changeit", SETTING))
                .hasMessage(SETTING + ": " + certificates.ca() + " is not a JKS or PKCS#12 key store");
    }

    @Test
    void eachStoreMustHoldWhatItIsFor() {
        Path keys = certificates.clientKeyStore(dir.resolve("keys-only.p12"), "secret", "PKCS12");
        Path trust = certificates.trustStore(dir.resolve("trust-only.p12"), "secret", "PKCS12");

        assertThatThrownBy(() -> TlsStore.trust(keys, "secret", SETTING))
                .hasMessageStartingWith(SETTING + ": " + keys + " holds no trusted certificate");
        assertThatThrownBy(() -> TlsStore.keys(trust, "secret", "key-store-path"))
                .hasMessageStartingWith("key-store-path: " + trust + " holds no private key");
    }
}
