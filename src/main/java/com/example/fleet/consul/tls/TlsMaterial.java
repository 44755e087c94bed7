package com.example.fleet.consul.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The PEM files of {@link TlsSettings} as read at one moment and checked as a whole: the CA certificates, and the
 * client certificate with its key as one pair. Clients are made from these values, never from the paths, so files
 * rewritten in place between two reads cannot mix into a new certificate with an old key.
 *
 * @param texts every file's text as read, in the order of the settings: what the next read is compared with
 * @param authorities the CA certificates; empty for the JVM's trusted CAs
 * @param client the certificate this client presents, with its key
 * @param trust how the agent's certificate is checked with the application's settings (its chain, and its name
 *        when a server name is set), built once and shared by every client; empty for the JVM's own check
 */
public record TlsMaterial(List<PemText> texts, List<X509Certificate> authorities, Optional<ClientPair> client,
        Optional<X509TrustManager> trust) {

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (RSA |EC )?PRIVATE KEY-----");

    /** One file's text as read, with the setting that names it. */
    public record PemText(String setting, Path file, String text) {
    }

    /**
     * The client certificate and its key, known to be one pair.
     *
     * @param keys present the pair; built once and shared by every client
     */
    public record ClientPair(Path certFile, X509Certificate certificate, KeyManagerFactory keys) {

        public Instant notAfter() {
            return certificate.getNotAfter().toInstant();
        }

        /** Subject, serial and validity end, for the log: what an operator compares with what they issued. */
        public String describe() {
            return certificate.getSubjectX500Principal() + ", serial "
                    + new BigInteger(1, certificate.getSerialNumber().toByteArray()).toString(16) + ", valid until "
                    + notAfter();
        }
    }

    /**
     * Reads and checks the files the settings name.
     *
     * @throws IllegalArgumentException naming the setting, its variable and the file that cannot be used
     */
    static TlsMaterial read(TlsSettings tls) {
        return of(tls, texts(tls));
    }

    /**
     * The text of every file the settings name: the CA file, each certificate file of the CA directory, the client
     * certificate and the key.
     *
     * @throws IllegalArgumentException naming the setting and the file that cannot be read
     */
    static List<PemText> texts(TlsSettings tls) {
        List<PemText> texts = new ArrayList<>();
        tls.caCert().ifPresent(file -> texts.add(text(CaFiles.CA_CERT, file)));
        tls.caPath().ifPresent(dir -> CaFiles.inDirectory(dir)
                .forEach(file -> texts.add(text(CaFiles.CA_PATH, file))));
        tls.clientCert().ifPresent(file -> texts.add(text(ConsulTls.CLIENT_CERT, file)));
        tls.clientKey().ifPresent(file -> texts.add(text(ConsulTls.CLIENT_KEY, file)));
        return List.copyOf(texts);
    }

    /**
     * Checks the texts: every certificate parsable and valid now, the key the certificate's.
     *
     * @throws IllegalArgumentException naming the setting, its variable and the file that cannot be used
     */
    static TlsMaterial of(TlsSettings tls, List<PemText> texts) {
        if (tls.clientCert().isPresent() != tls.clientKey().isPresent()) {
            throw new IllegalArgumentException(ConsulTls.CLIENT_CERT + " and " + ConsulTls.CLIENT_KEY
                    + " go together, but only " + (tls.clientCert().isPresent()
                            ? "the certificate " + tls.clientCert().get() : "the key " + tls.clientKey().get())
                    + " is set");
        }
        List<X509Certificate> authorities = new ArrayList<>();
        Optional<PemText> cert = Optional.empty();
        Optional<PemText> key = Optional.empty();
        for (PemText text : texts) {
            switch (text.setting()) {
                case ConsulTls.CLIENT_CERT -> cert = Optional.of(text);
                case ConsulTls.CLIENT_KEY -> key = Optional.of(text);
                default -> authorities.addAll(PemFiles.certificates(text.text(), text.file(), text.setting()));
            }
        }
        Optional<ClientPair> client = Optional.empty();
        if (cert.isPresent() && key.isPresent()) {
            client = Optional.of(pair(cert.get(), key.get()));
        }
        List<X509Certificate> cas = List.copyOf(authorities);
        return new TlsMaterial(texts, cas, client, ConsulTls.trustManager(tls, cas));
    }

    private static ClientPair pair(PemText cert, PemText key) {
        X509Certificate certificate = PemFiles.certificates(cert.text(), cert.file(), cert.setting()).get(0);
        if (!PRIVATE_KEY.matcher(key.text()).find()) {
            throw new IllegalArgumentException(ConsulTls.CLIENT_KEY + ": " + key.file()
                    + " holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)");
        }
        return new ClientPair(cert.file(), certificate, ClientKeyPair.requireMatching(cert, certificate, key));
    }

    private static PemText text(String setting, Path file) {
        return new PemText(setting, file, PemFiles.read(file, setting));
    }
}
