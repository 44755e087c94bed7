package com.example.fleet.consul.tls;

import com.example.fleet.consul.AgentProbe;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The application's HTTPS settings ({@link TlsSettings}) as a JDK TLS context, for {@link AgentProbe}'s
 * requests while configuration is built: the same CA files, client certificate and key, server name and
 * verification as every Vert.x client of the application.
 *
 * @param context trusts the agent as the settings say and presents the client certificate, if any
 * @param hostnameVerifier replaces the JDK's check of the host connected to, when the settings turn it off
 */
public record JdkTls(SSLContext context, Optional<HostnameVerifier> hostnameVerifier) {

    /**
     * @throws IllegalArgumentException naming the setting and the file when one cannot be used
     */
    public static JdkTls of(TlsSettings tls) {
        TlsMaterial material = ConsulTls.requireUsable(tls);
        try {
            KeyManager[] keys = material.client().map(pair -> pair.keys().getKeyManagers()).orElse(null);
            SSLContext context = SSLContext.getInstance("TLS");
            if (!tls.verify()) {
                context.init(keys, new TrustManager[] { new TrustingEveryone() }, null);
                return new JdkTls(context, Optional.of((host, session) -> true));
            }
            TrustManager trust = material.trust().orElseGet(() -> CaFiles.trustManager(null));
            context.init(keys, new TrustManager[] { trust }, null);
            // the JDK checks the host connected to unless the trust manager decides names itself (server name)
            return new JdkTls(context, Optional.empty());
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("The TLS files of fleet.consul.tls cannot be used: " + e.getMessage(),
                    e);
        }
    }

    /** fleet.consul.tls.verify=false (CONSUL_HTTP_SSL_VERIFY=false): any certificate, for experiments only. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
