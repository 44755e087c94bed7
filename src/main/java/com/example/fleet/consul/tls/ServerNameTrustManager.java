package com.example.fleet.consul.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts the agent's certificate when the JDK's PKIX checks accept its chain and its subjectAltNames carry one
 * given name, whatever host the connection went to. Vert.x (and the JDK's own check) verify only the host
 * connected to; an agent reached at a node address often carries only names such as {@code client.dc1.consul}.
 * Extends {@link X509ExtendedTrustManager} so that TLS stacks hand the decision to it instead of adding their own
 * host check.
 */
public final class ServerNameTrustManager extends X509ExtendedTrustManager {

    private final X509TrustManager pkix;
    private final String name;
    private final String origin;

    private ServerNameTrustManager(X509TrustManager pkix, String name, String origin) {
        this.pkix = pkix;
        this.name = name;
        this.origin = origin;
    }

    /**
     * @param anchors the CAs to trust; empty for the JVM's trusted CAs
     * @param name the name the agent's certificate must carry, a DNS name or an IP address
     * @param origin where the name comes from, for messages
     */
    public static ServerNameTrustManager create(Optional<KeyStore> anchors, String name, String origin)
            throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors.orElse(null));
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return new ServerNameTrustManager(x509, name, origin);
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    /** A TLS context with this trust manager that presents no certificate. */
    public SSLContext sslContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { this }, null);
        return context;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        // the two-argument check has no connection to take a host from: chain, validity and key usage only
        pkix.checkServerTrusted(chain, authType);
        List<String> carried = CertificateNames.of(chain[0]);
        if (!CertificateNames.cover(carried, name)) {
            throw new NameMismatchException("the agent's certificate (" + chain[0].getSubjectX500Principal()
                    + ") names " + (carried.isEmpty() ? "nothing" : String.join(", ", carried)) + " but not " + name
                    + ", which " + origin + " expects");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    /** The chain is trusted, but the certificate does not carry the expected name. */
    public static final class NameMismatchException extends CertificateException {
        private static final long serialVersionUID = 1L;

        NameMismatchException(String message) {
            super(message);
        }
    }
}
