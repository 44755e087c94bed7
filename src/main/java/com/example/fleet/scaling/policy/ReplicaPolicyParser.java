package com.example.fleet.scaling.policy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads the value of a {@code config/<service>/replicas} key into a {@link ReplicaPolicy}, following the schema
 * documented there. Strict on purpose: a value the leader would have to guess about is refused with a message that
 * names the problem, and the caller keeps acting on its last good policy.
 */
public final class ReplicaPolicyParser {

    /** Largest accepted value in bytes (4 KiB): a full policy is under 100 bytes, so anything near this is not one. */
    public static final int MAX_BYTES = 4096;

    /** Anything that looks like a number, so each way of not being a plain integer gets its own message. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private ReplicaPolicyParser() {
    }

    /**
     * Parses a value as the Vert.x Consul client returns it. {@code null} counts as empty: that client gives
     * {@code null} for a key that exists with an empty value.
     *
     * @throws InvalidPolicyException if the value does not follow the schema
     */
    public static ReplicaPolicy parse(String value) {
        return parse(value == null ? null : value.getBytes(UTF_8));
    }

    /**
     * Parses the raw bytes of a value. {@code null} counts as empty.
     *
     * @throws InvalidPolicyException if the value does not follow the schema
     */
    public static ReplicaPolicy parse(byte[] rawValue) {
        String value = PolicyText.decode(rawValue);
        String text = value.strip();
        if (text.isEmpty()) {
            throw new InvalidPolicyException("it is blank", value);
        }
        char first = text.charAt(0);
        if (first == '+' || first == '-' || first == '.' || (first >= '0' && first <= '9')) {
            return withDefaults(bareInteger(text, value), OptionalInt.empty(), OptionalInt.empty(), Optional.empty(),
                    value);
        }
        return JsonPolicyReader.read(text, value);
    }

    private static int bareInteger(String text, String value) {
        String problem;
        if (!NUMBER.matcher(text).matches()) {
            problem = "it is neither an integer nor a JSON object";
        } else if (text.startsWith("+")) {
            problem = "a leading '+' is not allowed; write " + text.substring(1);
        } else if (text.startsWith("-")) {
            problem = "replicas " + text + " is negative";
        } else if (text.contains("e") || text.contains("E")) {
            problem = "replicas " + text + " has an exponent; write the integer in full";
        } else if (text.contains(".")) {
            problem = "replicas " + text + " is fractional; it must be a whole number";
        } else if (text.length() > 1 && text.startsWith("0")) {
            problem = "replicas " + text + " has leading zeros";
        } else if (text.length() > 10 || Long.parseLong(text) > Integer.MAX_VALUE) {
            problem = "replicas " + text + " exceeds the int range";
        } else {
            return Integer.parseInt(text);
        }
        throw new InvalidPolicyException(problem, value);
    }

    /** Fills in the defaults of absent fields and checks the bounds, saying which defaults took part. */
    static ReplicaPolicy withDefaults(int replicas, OptionalInt min, OptionalInt max, Optional<ScaleInOrder> order,
            String value) {
        if (replicas == 0 && min.isEmpty()) {
            throw new InvalidPolicyException("replicas 0 needs an explicit \"min\":0, e.g. {\"replicas\":0,\"min\":0};"
                    + " min defaults to " + ReplicaPolicy.DEFAULT_MIN
                    + " because a fleet scaled to zero has no instance left to scale it back up", value);
        }
        try {
            return new ReplicaPolicy(replicas, min.orElse(ReplicaPolicy.DEFAULT_MIN),
                    max.orElse(ReplicaPolicy.DEFAULT_MAX), order.orElse(ReplicaPolicy.DEFAULT_SCALE_IN_ORDER));
        } catch (IllegalArgumentException e) {
            List<String> defaults = new ArrayList<>();
            if (min.isEmpty()) {
                defaults.add("min defaults to " + ReplicaPolicy.DEFAULT_MIN);
            }
            if (max.isEmpty()) {
                defaults.add("max defaults to " + ReplicaPolicy.DEFAULT_MAX);
            }
            String note = defaults.isEmpty() ? "" : " (" + String.join(", ", defaults) + ")";
            throw new InvalidPolicyException(e.getMessage() + note, value);
        }
    }
}
