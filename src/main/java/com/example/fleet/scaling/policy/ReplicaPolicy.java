package com.example.fleet.scaling.policy;

import java.util.Objects;

/**
 * The replica policy of one service, stored by operators in Consul KV at {@code config/<service>/replicas}.
 *
 * <h2>Schema</h2>
 * The value is UTF-8 text of at most {@value ReplicaPolicyParser#MAX_BYTES} bytes, either
 * <ul>
 * <li>a bare integer such as {@code 3}, whitespace around it allowed: {@code replicas}, every other field at its
 * default; or</li>
 * <li>a JSON object such as
 * {@code {"replicas":3,"min":1,"max":10,"scaleInOrder":"least-recently-requested"}} with the fields
 * <ul>
 * <li>{@code replicas}: required integer, {@code min <= replicas <= max};</li>
 * <li>{@code min}: optional integer {@code >= 0}, default {@value #DEFAULT_MIN}. Not 0 because a fleet scaled to zero
 * has no instance left to run the leader that would scale it back up, so {@code replicas} 0 is accepted only with an
 * explicit {@code "min":0};</li>
 * <li>{@code max}: optional integer, {@code min <= max <= }{@value #MAX_CEILING}, default {@value #DEFAULT_MAX}. The
 * hard ceiling keeps a typo ({@code 10000} for {@code 100}) from starting more instances than any cluster here holds;
 * </li>
 * <li>{@code scaleInOrder}: optional, {@code least-recently-requested} (default) or {@code lowest-load}, see
 * {@link ScaleInOrder}.</li>
 * </ul>
 * </li>
 * </ul>
 * Nothing else is accepted: no unknown or repeated fields, no numbers written as strings, fractions or exponents, no
 * {@code null}, no comments, no content after the object. A value the leader would have to guess about is refused.
 *
 * <h2>No key, no policy</h2>
 * There is deliberately no {@code defaults()}: while the key does not exist the leader must not act, so callers model
 * "no policy" as {@code Optional.empty()} instead of inventing a replica count.
 */
public record ReplicaPolicy(int replicas, int min, int max, ScaleInOrder scaleInOrder) {

    public static final int DEFAULT_MIN = 1;
    public static final int DEFAULT_MAX = 100;
    public static final int MAX_CEILING = 1000;
    public static final ScaleInOrder DEFAULT_SCALE_IN_ORDER = ScaleInOrder.LEAST_RECENTLY_REQUESTED;

    /**
     * @throws IllegalArgumentException if the values break the bounds of the schema; values read from Consul go
     *         through {@link ReplicaPolicyParser}, which explains the problem in terms of the key's text
     */
    public ReplicaPolicy {
        Objects.requireNonNull(scaleInOrder, "scaleInOrder");
        if (min < 0) {
            throw new IllegalArgumentException("min " + min + " is negative");
        }
        if (max > MAX_CEILING) {
            throw new IllegalArgumentException("max " + max + " is above the hard ceiling of " + MAX_CEILING);
        }
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " is greater than max " + max);
        }
        if (replicas < min) {
            throw new IllegalArgumentException("replicas " + replicas + " is below min " + min);
        }
        if (replicas > max) {
            throw new IllegalArgumentException("replicas " + replicas + " is above max " + max);
        }
    }

    /**
     * The canonical JSON form, every field present in schema order, so audit lines ({@code old -> new}) compare
     * textually and {@link ReplicaPolicyParser#parse(String)} reads it back to an equal policy.
     */
    public String toJson() {
        return "{\"replicas\":%d,\"min\":%d,\"max\":%d,\"scaleInOrder\":\"%s\"}"
                .formatted(replicas, min, max, scaleInOrder.wireName());
    }

    /** A one-line form for logs, e.g. {@code replicas=3 min=1 max=10 scaleInOrder=lowest-load}. */
    public String describe() {
        return "replicas=%d min=%d max=%d scaleInOrder=%s".formatted(replicas, min, max, scaleInOrder.wireName());
    }
}
