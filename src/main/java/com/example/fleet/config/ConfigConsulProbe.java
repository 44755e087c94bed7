package com.example.fleet.config;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLException;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.CaTrustStore;
import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.consul.ServerNameTrustManager;
import com.example.fleet.consul.ServerNameTrustManager.NameMismatchException;

/**
 * Asks the agent, while configuration is built, whether quarkus-config-consul will be able to read KV from it:
 * that extension fails the start on any connection error, even with {@code fail-on-missing-key=false}, so it is
 * enabled only when the probe succeeds. The probe connects as the extension will, and names what 2.4.0 cannot do.
 */
final class ConfigConsulProbe {

    private static final Logger LOG = Logger.getLogger(ConfigConsulProbe.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private ConfigConsulProbe() {
    }

    /**
     * Whether quarkus-config-consul will be able to read KV from {@code agent}. When not, a required read stops the
     * start and an optional one is skipped with a warning, each saying why.
     *
     * @param stores the CA files as a trust store, if any
     * @param clientCertificate whether the application presents one (fleet.consul.tls.client-cert)
     * @param serverName the name the application verifies the agent's certificate against
     *        (fleet.consul.tls.server-name), if set
     * @throws IllegalStateException when {@code required} and the agent cannot serve the read
     */
    static boolean canRead(ConsulAddress agent, boolean required, Optional<CaTrustStore> stores,
            boolean clientCertificate, Optional<String> serverName) {
        try {
            String leader;
            try {
                leader = leader(agent, stores, serverName.isPresent());
            } catch (GeneralSecurityException e) {
                throw new IOException("the TLS files cannot be used: " + e.getMessage(), e);
            } catch (SSLException e) {
                Optional<NameMismatchException> mismatch = serverName.flatMap(name -> nameMismatch(e));
                if (mismatch.isPresent()) {
                    // 2.4.0 has no setting for a name other than the host it connects to
                    throw new IOException("quarkus-config-consul 2.4.0 cannot use fleet.consul.tls.server-name"
                            + " (CONSUL_TLS_SERVER_NAME): it verifies the host of CONSUL_HTTP_ADDR, and "
                            + mismatch.get().getMessage(), e);
                }
                if (clientCertificate) {
                    // 2.4.0 applies its key-store setting as a second trust store: it cannot present a certificate
                    throw new IOException("the agent requires a client certificate, which quarkus-config-consul"
                            + " 2.4.0 cannot present (it uses its key-store setting as a trust store)", e);
                }
                throw e;
            }
            if (leader.isEmpty()) {
                // without a leader the agent cannot serve KV reads, which quarkus-config-consul would take for
                // missing keys
                throw new IOException("the agent answers but has no cluster leader");
            }
            return true;
        } catch (IOException e) {
            if (required) {
                throw new IllegalStateException("Configuration from Consul is required (fleet.consul.config-mode="
                        + "required) but the Consul agent at " + agent + " cannot be reached ("
                        + AgentProbe.describe(e) + "). Start the agent, point CONSUL_HTTP_ADDR at one, or set"
                        + " fleet.consul.config-mode=optional to start with the defaults.");
            }
            LOG.warnf("The Consul agent at %s cannot be reached (%s): starting without configuration from Consul KV;"
                    + " defaults apply until the next start (fleet.consul.config-mode=optional)", agent,
                    AgentProbe.describe(e));
            return false;
        }
    }

    /**
     * Connects as quarkus-config-consul will: trusting the CA files, checking the host of the address, without a
     * client certificate. With a server name set, the host is checked by a trust manager that tells a missing name
     * apart from other failures.
     */
    private static String leader(ConsulAddress agent, Optional<CaTrustStore> stores, boolean serverNameSet)
            throws IOException, GeneralSecurityException {
        if (serverNameSet) {
            Optional<KeyStore> anchors = stores.isPresent() ? Optional.of(stores.get().load()) : Optional.empty();
            return AgentProbe.leader(agent, PROBE_TIMEOUT, ServerNameTrustManager.create(anchors, agent.host(),
                    "quarkus-config-consul").sslContext());
        }
        return stores.isPresent() ? AgentProbe.leader(agent, PROBE_TIMEOUT, stores.get().sslContext())
                : AgentProbe.leader(agent, PROBE_TIMEOUT);
    }

    private static Optional<NameMismatchException> nameMismatch(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NameMismatchException mismatch) {
                return Optional.of(mismatch);
            }
        }
        return Optional.empty();
    }
}
