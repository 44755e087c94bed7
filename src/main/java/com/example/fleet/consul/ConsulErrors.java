package com.example.fleet.consul;

import java.util.Optional;
import java.util.concurrent.TimeoutException;

import com.example.fleet.consul.tls.TlsFailures;
import com.example.fleet.support.Failures;

/**
 * Reads the failures of the Vert.x Consul client, which reports an HTTP error as text
 * ("Status message: 'Forbidden'. Body: '...'") rather than as a status code. The texts matched are Consul
 * 1.8's answers, checked against a real agent by {@code ConsulErrorsTest}.
 */
public final class ConsulErrors {

    private ConsulErrors() {
    }

    /** Consul does not know the token sent (deleted, or not yet replicated): a rotated token file may hold a newer one. */
    public static boolean isUnknownToken(Throwable failure) {
        return text(failure).contains("ACL not found");
    }

    /** The agent refused the ACL token: missing permission (403 Permission denied) or unknown token (ACL not found). */
    public static boolean isAccessDenied(Throwable failure) {
        String text = text(failure);
        return text.contains("'Forbidden'") || text.contains("Permission denied") || text.contains("ACL not found");
    }

    /**
     * A TTL update for a check the agent does not know: the agent lost the registration (restarted without state,
     * or someone deregistered it), so the service must register again.
     */
    public static boolean isUnknownCheck(Throwable failure) {
        String text = text(failure);
        return text.contains("does not have associated TTL") || text.contains("Unknown check");
    }

    /** A renewal of a session Consul no longer has: it expired or was destroyed, and its locks went with it. */
    public static boolean isSessionNotFound(Throwable failure) {
        String text = text(failure);
        return text.contains("'Not Found'") && text.contains("Session id");
    }

    /**
     * One line that says what went wrong; for an ACL refusal it names the permission the operation needs and where
     * the token comes from ({@link ConsulToken#source()}), for a failed TLS handshake the setting to check. The token itself never appears: the client's messages
     * carry only the agent's answer.
     */
    public static String describe(Throwable failure, String operation, String permission, String tokenSource) {
        if (isAccessDenied(failure)) {
            String answer = text(failure).contains("ACL not found") ? "the token is unknown to Consul (ACL not found)"
                    : "Permission denied";
            return "Consul refused to " + operation + ": the ACL token " + tokenSource + " needs " + permission
                    + " (agent answered: " + answer + ")";
        }
        Optional<String> tls = TlsFailures.describe(failure);
        if (tls.isPresent()) {
            return "Consul TLS handshake failed while trying to " + operation + ": " + tls.get();
        }
        if (Failures.couldNotConnect(failure)) {
            return "Consul agent unreachable while trying to " + operation + " (connection refused)";
        }
        if (isServersUnavailable(failure)) {
            return "Consul servers unavailable while trying to " + operation + ": the agent answered but no server"
                    + " could serve it (no Raft leader: an election under way, or quorum lost); instances keep their"
                    + " last view, writes wait for the servers (agent answered: " + serverAnswer(failure) + ")";
        }
        if (failure instanceof TimeoutException || text(failure).toLowerCase().contains("timeout")) {
            return "Consul did not answer in time while trying to " + operation;
        }
        return "Consul failed to " + operation + ": " + text(failure).strip();
    }

    /**
     * Whether Consul, not this code, is why an operation failed: the agent unreachable, a failed TLS handshake, no
     * server to answer, no answer in time, or an ACL refusal.
     */
    public static boolean isConsulSide(Throwable failure) {
        return Failures.couldNotConnect(failure) || isServersUnavailable(failure) || isAccessDenied(failure)
                || TlsFailures.describe(failure).isPresent() || failure instanceof TimeoutException
                || text(failure).toLowerCase().contains("timeout");
    }

    /**
     * The agent could not get an answer from the servers: no leader ("No cluster leader"), or no server reachable
     * ("rpc error ..."). Reads and writes that need the servers fail; the agent's own state still answers.
     */
    public static boolean isServersUnavailable(Throwable failure) {
        String text = text(failure);
        return text.contains("No cluster leader") || text.contains("rpc error");
    }

    /** The body of the agent's answer, as the Vert.x client quotes it ("Body: '...'"), else the whole text. */
    private static String serverAnswer(Throwable failure) {
        String text = text(failure);
        int start = text.indexOf("Body: '");
        if (start < 0) {
            return text.strip();
        }
        start += "Body: '".length();
        int end = text.indexOf('\'', start);
        return (end < 0 ? text.substring(start) : text.substring(start, end)).strip();
    }

    private static String text(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(' ');
        }
        return all.toString();
    }
}
