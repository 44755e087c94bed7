package com.example.fleet.scaling.policy;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which instances the leader stops first when the fleet has more replicas than its policy asks for. Written in the
 * policy by {@link #wireName()}; see {@link ReplicaPolicy} for the schema.
 */
public enum ScaleInOrder {

    /** Stop first the instances whose last request is the oldest: they hold the least warm state. */
    LEAST_RECENTLY_REQUESTED("least-recently-requested"),

    /** Stop first the instances with the lowest current load: the fewest requests have to drain. */
    LOWEST_LOAD("lowest-load");

    private final String wireName;

    ScaleInOrder(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the JSON policy, e.g. {@code least-recently-requested}; also its form in JSON answers. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The order written as {@code wireName}, matched exactly (no case folding, so one spelling is canonical). */
    public static Optional<ScaleInOrder> fromWireName(String wireName) {
        return Arrays.stream(values()).filter(order -> order.wireName.equals(wireName)).findFirst();
    }

    /** The accepted wire names, comma separated, for error messages. */
    static String wireNames() {
        return Arrays.stream(values()).map(ScaleInOrder::wireName).collect(Collectors.joining(", "));
    }
}
