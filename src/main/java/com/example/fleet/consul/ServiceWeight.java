package com.example.fleet.consul;

import java.util.Map;

/**
 * The relative share of traffic an instance asks for, registered as Consul Meta {@value #META_KEY} (and tag
 * {@code weight=}): a whole number from {@value #MIN} to {@value #MAX}. Strict where the value is configured,
 * lenient where it is read from other instances, whose bad Meta must not break a client.
 */
public final class ServiceWeight {

    public static final String META_KEY = "weight";
    public static final int MIN = 1;
    public static final int MAX = 1000;
    /** What an instance without a readable weight counts as. */
    public static final int DEFAULT = 1;

    private ServiceWeight() {
    }

    /**
     * @throws IllegalArgumentException naming the problem, for configuration
     */
    public static int parse(String value) {
        int weight;
        try {
            weight = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
        if (weight < MIN || weight > MAX) {
            throw new IllegalArgumentException("weight " + weight + " is outside " + MIN + "-" + MAX);
        }
        return weight;
    }

    /** The weight in an instance's Meta; {@value #DEFAULT} when it is absent or not a valid weight. */
    public static int fromMeta(Map<String, String> meta) {
        String value = meta == null ? null : meta.get(META_KEY);
        if (value == null) {
            return DEFAULT;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            return DEFAULT;
        }
    }
}
