package com.example.fleet.consul.tls;

import static com.example.fleet.testing.RotatedFiles.replace;
import static com.example.fleet.testing.RotatedFiles.replacePair;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.LogCapture;

/**
 * The files rewritten in place, as Vault agent or cert-manager do: usable new content replaces the material at the
 * next read, anything else keeps the last good material and is refused once, by name, when it stays.
 */
class TlsMaterialWatchTest {

    @RegisterExtension
    static final LogCapture LOG = new LogCapture(TlsMaterialWatch.class);

    @TempDir
    Path dir;
    private ConsulCertificates issued;
    private Path live;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void filesInUse() throws Exception {
        LOG.clear();
        issued = ConsulCertificates.create(dir.resolve("issued"));
        live = Files.createDirectories(dir.resolve("live"));
        Files.createDirectories(live.resolve("cas"));
        replace(live.resolve("cas/ca.pem"), issued.ca());
        replace(live.resolve("client.pem"), issued.clientCert());
        replace(live.resolve("client-key.pem"), issued.clientKey());
    }

    private TlsMaterialWatch watch() {
        TlsSettings tls = new TestTls(null, live.resolve("cas"), live.resolve("client.pem"),
                live.resolve("client-key.pem"), null);
        TlsMaterialWatch watch = new TlsMaterialWatch(tls, ConsulTls.requireUsable(tls), now::get);
        watch.onChange(changes::incrementAndGet);
        return watch;
    }

    private static String serial(TlsMaterialWatch watch) {
        return watch.current().client().orElseThrow().certificate().getSerialNumber().toString();
    }

    @Test
    void aNewPairIsUsedOnlyOnceItsKeyFollowsItsCertificate() throws Exception {
        TlsMaterialWatch watch = watch();
        String before = serial(watch);
        ConsulCertificates next = issued.withNewClientPair();

        replace(live.resolve("client.pem"), next.clientCert());
        assertThat(watch.reread()).as("a certificate whose key is not written yet").isFalse();
        assertThat(serial(watch)).isEqualTo(before);
        assertThat(watch.refused()).as("a pair being written is not refused at its first read").isEmpty();

        replace(live.resolve("client-key.pem"), next.clientKey());
        assertThat(watch.reread()).isTrue();
        assertThat(serial(watch)).isNotEqualTo(before);
        assertThat(changes).hasValue(1);
        assertThat(watch.reread()).as("the same files again").isFalse();
        assertThat(changes).hasValue(1);
        assertThat(LOG.lines(Level.SEVERE, "")).isEmpty();
        assertThat(LOG.lines(Level.INFO, "Consul TLS files changed (" + live.resolve("client.pem") + ", "
                + live.resolve("client-key.pem") + ")")).hasSize(1);
    }

    @Test
    void aKeyOfAnotherPairThatStaysIsRefusedOnceByNameAndTheOldPairStays() throws Exception {
        TlsMaterialWatch watch = watch();
        String before = serial(watch);

        replace(live.resolve("client-key.pem"), issued.serverKey());
        for (int read = 0; read < 3; read++) {
            assertThat(watch.reread()).isFalse();
        }

        assertThat(serial(watch)).isEqualTo(before);
        assertThat(watch.refused()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): " + live.resolve("client-key.pem"))
                .contains("is not the key of the certificate"));
        assertThat(LOG.lines(Level.SEVERE, "Consul TLS files refused, the last good material stays in use: "
                + watch.refused().get())).hasSize(1);
        assertThat(changes).hasValue(0);

        replace(live.resolve("client-key.pem"), issued.clientKey());
        assertThat(watch.reread()).as("back to the pair in use").isFalse();
        assertThat(watch.refused()).isEmpty();
    }

    @Test
    void anExpiredOrNotYetValidPairIsRefusedAndTheOldPairStays() throws Exception {
        TlsMaterialWatch watch = watch();
        String before = serial(watch);
        for (List<Path> pair : List.of(ConsulCertificates.selfSignedPair(dir, "expired", "-3d", 1),
                ConsulCertificates.selfSignedPair(dir, "future", "+2d", 30))) {
            replace(live.resolve("client.pem"), pair.get(0));
            replace(live.resolve("client-key.pem"), pair.get(1));
            watch.reread();
            watch.reread();

            assertThat(serial(watch)).isEqualTo(before);
            assertThat(watch.refused()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT): the certificate in "
                            + live.resolve("client.pem")).containsPattern("expired on|is valid only from"));
        }
        assertThat(LOG.lines(Level.SEVERE, "Consul TLS files refused")).hasSize(2);
        assertThat(changes).hasValue(0);

        ConsulCertificates next = issued.withNewClientPair();
        replacePair(live.resolve("client.pem"), live.resolve("client-key.pem"),
                List.of(next.clientCert(), next.clientKey()));
        assertThat(watch.reread()).as("a good pair after the bad ones").isTrue();
        assertThat(watch.refused()).isEmpty();
        assertThat(serial(watch)).isNotEqualTo(before);
    }

    @Test
    void aSecondCaJoinsTheDirectoryAndTheFirstLeavesIt() throws Exception {
        TlsMaterialWatch watch = watch();
        ConsulCertificates second = ConsulCertificates.create(dir.resolve("second"));

        replace(live.resolve("cas/second.pem"), second.ca());
        assertThat(watch.reread()).isTrue();
        assertThat(watch.current().authorities()).hasSize(2);

        Files.delete(live.resolve("cas/ca.pem"));
        assertThat(watch.reread()).isTrue();
        assertThat(watch.current().authorities()).containsExactly(certificate(second.ca()));
        assertThat(changes).hasValue(2);
    }

    @Test
    void aCertificateCloseToItsExpiryIsWarnedOfOnceADay() throws Exception {
        ConsulCertificates shortLived = issued.withNewClientPair("-days=3");
        replace(live.resolve("client.pem"), shortLived.clientCert());
        replace(live.resolve("client-key.pem"), shortLived.clientKey());
        TlsMaterialWatch watch = watch();

        watch.warnOfExpiry();
        now.set(now.get().plus(Duration.ofHours(23)));
        watch.warnOfExpiry();
        assertThat(LOG.lines(Level.WARNING, "The Consul client certificate in " + live.resolve("client.pem")))
                .singleElement().asString().containsPattern("expires in 7[12] hours").contains("it is used without a restart");

        now.set(now.get().plus(Duration.ofHours(2)));
        watch.warnOfExpiry();
        now.set(now.get().plus(Duration.ofDays(3)));
        watch.warnOfExpiry();
        assertThat(LOG.lines(Level.WARNING, "The Consul client certificate in ")).hasSize(3).last().asString()
                .contains("has expired, and works only as long as the agent accepts it");
        assertThat(watch.clientCertificateExpiry()).hasValueSatisfying(expiry -> assertThat(expiry)
                .isBetween(Instant.now().plus(Duration.ofDays(3)).minusSeconds(120),
                        Instant.now().plus(Duration.ofDays(3))));
    }

    @Test
    void aLongLivedCertificateIsNotWarnedOf() {
        watch().warnOfExpiry();

        assertThat(LOG.lines(Level.WARNING, "")).isEmpty();
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
