package com.example.fleet.consul.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

import com.example.fleet.consul.tls.TlsMaterial.PemText;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * Whether the client key belongs to the client certificate. A key of another pair would fail every handshake with
 * a bare {@code bad_certificate} from the agent, far from its cause.
 */
final class ClientKeyPair {

    private static final byte[] CHALLENGE = "fleet-service client key check".getBytes(StandardCharsets.US_ASCII);

    private ClientKeyPair() {
    }

    /**
     * Key managers that present the pair as the files held it when they were read, built once for every client.
     *
     * @param certificate the first certificate of {@code cert}, parsed
     * @throws IllegalArgumentException naming both settings and files when the key cannot be read or is not the
     *         certificate's
     */
    static KeyManagerFactory requireMatching(PemText cert, X509Certificate certificate, PemText key) {
        KeyManagerFactory keys = keyManagers(cert.text(), key.file(), key.text());
        PrivateKey privateKey = privateKey(keys, key.file(), certificate.getPublicKey().getAlgorithm());
        if (!signsFor(privateKey, certificate.getPublicKey())) {
            throw new IllegalArgumentException(ConsulTls.CLIENT_KEY + ": " + key.file() + " is not the key of the"
                    + " certificate in " + ConsulTls.CLIENT_CERT + ": " + cert.file() + " ("
                    + certificate.getSubjectX500Principal() + "); they must be one pair, as consul tls cert create"
                    + " writes them");
        }
        return keys;
    }

    /**
     * The pair as Vert.x reads it to present it. The JDK alone reads only PKCS#8 ({@code BEGIN PRIVATE KEY});
     * {@code consul tls} writes SEC1 EC keys ({@code BEGIN EC PRIVATE KEY}) and other tools PKCS#1 RSA keys, which
     * Vert.x's PEM reader also takes. Given as values, not paths, Vert.x reads no file and needs no Vertx instance.
     */
    private static KeyManagerFactory keyManagers(String certText, Path keyFile, String keyText) {
        try {
            return new PemKeyCertOptions().setCertValue(pem(certText)).setKeyValue(pem(keyText))
                    .getKeyManagerFactory(null);
        } catch (Exception e) {
            // Vert.x reports an unreadable key with a plain Exception
            throw new IllegalArgumentException(ConsulTls.CLIENT_KEY + ": " + keyFile + " cannot be read as a PEM"
                    + " private key (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(KeyManagerFactory keys, Path keyFile, String certifiedAlgorithm) {
        for (KeyManager manager : keys.getKeyManagers()) {
            if (manager instanceof X509KeyManager x509) {
                String[] aliases = x509.getClientAliases(certifiedAlgorithm, null);
                if (aliases != null && aliases.length > 0) {
                    return x509.getPrivateKey(aliases[0]);
                }
            }
        }
        throw new IllegalArgumentException(ConsulTls.CLIENT_KEY + ": " + keyFile + " cannot be read as a PEM private"
                + " key");
    }

    /** PEM text as the buffer Vert.x takes: PEM is ASCII, read as ISO-8859-1 so that no byte is lost. */
    private static Buffer pem(String text) {
        return Buffer.buffer(text, "ISO-8859-1");
    }

    /**
     * A signature made with the private key verifies with the certificate's public key exactly when they are one
     * pair: a test for RSA and EC alike, where deriving the EC public key would need curve arithmetic the JDK does
     * not offer.
     */
    private static boolean signsFor(PrivateKey key, PublicKey certified) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // a public key of another algorithm than the private key's
            return false;
        }
    }
}
