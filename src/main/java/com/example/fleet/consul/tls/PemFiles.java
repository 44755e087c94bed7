package com.example.fleet.consul.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads the PEM files of {@link TlsSettings}; every failure names the setting, its variable and the file. */
final class PemFiles {

    private PemFiles() {
    }

    /**
     * The certificates in {@code text}, as read from {@code file}, each valid now.
     *
     * @throws IllegalArgumentException when it holds none, or one is expired or not yet valid
     */
    static List<X509Certificate> certificates(String text, Path file, String setting) {
        // the JDK would also take DER, which Vert.x does not, and names a key file's problem in ASN.1 terms
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(setting + ": " + file + " holds no PEM certificate"
                    + " (-----BEGIN CERTIFICATE-----)");
        }
        List<X509Certificate> found;
        try {
            found = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new IllegalArgumentException(setting + ": " + file + " is not a PEM certificate (" + e.getMessage()
                    + ")");
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(setting + ": " + file + " holds no PEM certificate");
        }
        for (X509Certificate certificate : found) {
            try {
                certificate.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                        + certificate.getSubjectX500Principal() + ") expired on " + certificate.getNotAfter());
            } catch (CertificateNotYetValidException e) {
                throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                        + certificate.getSubjectX500Principal() + ") is valid only from " + certificate.getNotBefore());
            }
        }
        return found;
    }

    /** The file's text; PEM is ASCII, and ISO-8859-1 reads any byte, so a binary file fails later, by content. */
    static String read(Path file, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + ": " + file + " does not exist or is not a file");
        }
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be read (" + e.getMessage() + ")");
        }
    }
}
