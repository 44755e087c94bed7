package com.example.fleet.consul.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;

/**
 * A Java key store file (JKS or PKCS#12, told apart by its content) opened and checked when the application starts,
 * so that a missing file, a wrong password or a store without what it is for stops the start with a message naming
 * the setting and the file, not a handshake later. As trust store it must hold a trusted certificate; as key store
 * a private key that its password opens (one password for both, as Stork's consul attributes have), whose
 * certificate is valid now.
 */
public final class TlsStore {

    private final KeyStore store;
    private final TrustManagerFactory trust;
    private final KeyManagerFactory keys;

    private TlsStore(KeyStore store, TrustManagerFactory trust, KeyManagerFactory keys) {
        this.store = store;
        this.trust = trust;
        this.keys = keys;
    }

    /**
     * @param password empty for a store without one
     * @param setting the setting naming the file, for messages
     * @throws IllegalArgumentException naming the setting and the file
     */
    public static TlsStore trust(Path file, String password, String setting) {
        KeyStore store = open(file, password, setting);
        try {
            if (Collections.list(store.aliases()).stream().noneMatch(alias -> isCertificateEntry(store, alias))) {
                throw new IllegalArgumentException(setting + ": " + file + " holds no trusted certificate"
                        + (password.isEmpty() ? " readable without a password" : "")
                        + " (import the CA with keytool -importcert)");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return new TlsStore(store, factory, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be used (" + e.getMessage() + ")", e);
        }
    }

    /**
     * @param password the store's password, which also opens its private key
     * @param setting the setting naming the file, for messages
     * @throws IllegalArgumentException naming the setting and the file
     */
    public static TlsStore keys(Path file, String password, String setting) {
        KeyStore store = open(file, password, setting);
        try {
            List<String> keyAliases = Collections.list(store.aliases()).stream()
                    .filter(alias -> isKeyEntry(store, alias)).toList();
            if (keyAliases.isEmpty()) {
                throw new IllegalArgumentException(setting + ": " + file + " holds no private key (a client"
                        + " certificate with its key)");
            }
            for (String alias : keyAliases) {
                requireValidNow(store.getCertificate(alias), file, setting);
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password.toCharArray());
            return new TlsStore(store, null, factory);
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException(setting + ": the private key in " + file + " is not opened by the"
                    + " store's password (key and store need the same one)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be used (" + e.getMessage() + ")", e);
        }
    }

    /** The certificates, as anchors of a {@link ServerNameTrustManager}. */
    KeyStore keyStore() {
        return store;
    }

    TrustOptions trustOptions() {
        return TrustOptions.wrap(trust);
    }

    KeyCertOptions keyCertOptions() {
        return KeyCertOptions.wrap(keys);
    }

    private static KeyStore open(Path file, String password, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + ": " + file + " does not exist or is not a file");
        }
        try {
            // a store without password: JKS then skips its integrity check instead of failing it
            return KeyStore.getInstance(file.toFile(), password.isEmpty() ? null : password.toCharArray());
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException(setting + ": " + file + " is not a JKS or PKCS#12 key store", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException(setting + ": the password does not open " + file, e);
            }
            throw new IllegalArgumentException(setting + ": " + file + " cannot be read (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static void requireValidNow(Certificate certificate, Path file, String setting) {
        if (!(certificate instanceof X509Certificate x509)) {
            return;
        }
        try {
            x509.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                    + x509.getSubjectX500Principal() + ") expired on " + x509.getNotAfter());
        } catch (CertificateNotYetValidException e) {
            throw new IllegalArgumentException(setting + ": the certificate in " + file + " ("
                    + x509.getSubjectX500Principal() + ") is valid only from " + x509.getNotBefore());
        }
    }

    private static boolean isCertificateEntry(KeyStore store, String alias) {
        try {
            return store.isCertificateEntry(alias);
        } catch (KeyStoreException e) {
            throw new IllegalStateException("a loaded store cannot fail to answer", e);
        }
    }

    private static boolean isKeyEntry(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (KeyStoreException e) {
            throw new IllegalStateException("a loaded store cannot fail to answer", e);
        }
    }
}
