package com.example.fleet.consul.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import com.example.fleet.consul.tls.ServerNameTrustManager.NameMismatchException;

/**
 * Why a TLS connection to the agent failed, with the setting to check: the JDK's exceptions say it in protocol
 * terms only ("PKIX path building failed", "Received fatal alert: bad_certificate"), and a certificate the agent
 * changes after the start shows nowhere else.
 */
public final class TlsFailures {

    /** Alerts with which the agent refuses the certificate this client presented, or its absence. */
    private static final Pattern CLIENT_REFUSED = Pattern.compile("Received fatal alert: (bad_certificate|"
            + "certificate_required|unknown_ca|certificate_unknown|certificate_expired|certificate_revoked|"
            + "unsupported_certificate|access_denied)");
    /** The JDK's host name check (sun.security.util.HostnameChecker), which has no exception type of its own. */
    private static final Pattern HOST_NOT_NAMED = Pattern.compile("^No (subject alternative (names|DNS name) matching"
            + "|name matching)");

    private static final int MAX_DEPTH = 32;

    private TlsFailures() {
    }

    /** The reason and the setting to check; empty when {@code failure} is no TLS failure. */
    public static Optional<String> describe(Throwable failure) {
        List<Throwable> chain = chain(failure);
        if (!has(chain, SSLException.class)) {
            return Optional.empty();
        }
        Throwable root = chain.get(chain.size() - 1);
        String detail = root.getMessage();
        if (has(chain, NameMismatchException.class)) {
            return Optional.of(detail + "; check " + ConsulTls.SERVER_NAME);
        }
        if (root instanceof CertificateException && detail != null && HOST_NOT_NAMED.matcher(detail).find()) {
            return Optional.of("the agent's certificate does not name the host of CONSUL_HTTP_ADDR (" + detail
                    + "); set " + ConsulTls.SERVER_NAME + " to a name it carries");
        }
        if (has(chain, CertificateExpiredException.class) || has(chain, CertificateNotYetValidException.class)) {
            return Optional.of("the agent's certificate is not valid now (" + detail + "): the agent needs a new one");
        }
        if (has(chain, CertPathBuilderException.class) || has(chain, CertPathValidatorException.class)) {
            return Optional.of("the agent's certificate is not signed by a CA this client trusts (" + detail
                    + "); check " + CaFiles.CA_CERT + " and " + CaFiles.CA_PATH);
        }
        if (detail != null && CLIENT_REFUSED.matcher(detail).find()) {
            return Optional.of("the agent refused this client's certificate (" + detail + "); check "
                    + ConsulTls.CLIENT_CERT + " and " + ConsulTls.CLIENT_KEY);
        }
        return Optional.of(detail + "; check the fleet.consul.tls settings (CONSUL_CACERT, CONSUL_CAPATH,"
                + " CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME)");
    }

    /** The failure and its causes, bounded in case of a cause cycle. */
    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && chain.size() < MAX_DEPTH; cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    private static boolean has(List<Throwable> chain, Class<? extends Throwable> type) {
        return chain.stream().anyMatch(type::isInstance);
    }
}
