package com.example.fleet.scaling.policy;

/**
 * A replica policy value that does not follow the schema of {@link ReplicaPolicy}. The message names the problem
 * and quotes the value (truncated, invisible characters escaped), so the log line alone is enough to fix the key.
 *
 * <p>
 * Unchecked, like {@link NumberFormatException}: parsing runs inside Vert.x and Mutiny callbacks, where checked
 * exceptions do not compose, and the one sensible handling (log it, keep the last good policy) belongs to the single
 * caller that watches the key, not to every frame in between.
 */
public final class InvalidPolicyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Long enough to show a whole realistic policy, short enough that a 4 KiB blob does not flood the log. */
    static final int QUOTE_LIMIT = 100;

    InvalidPolicyException(String reason, String value) {
        super("invalid replica policy: " + reason + "; value: '" + PolicyText.printable(value, QUOTE_LIMIT) + "'");
    }
}
