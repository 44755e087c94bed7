package com.example.fleet.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.example.fleet.consul.HealthEntry;

import io.vertx.ext.consul.CheckStatus;

/**
 * Which Consul entries a client accepts: healthy enough (passing; also warning when asked; any status without
 * health checks), carrying every required tag, and with Meta values matching glob patterns ({@code env=prod},
 * {@code version=2.*}) so a client can address a group or a canary.
 */
final class InstanceFilter {

    /** Which check statuses an instance may have. */
    enum Health {
        PASSING("passing instances only"),
        PASSING_OR_WARNING("passing and warning instances"),
        ANY("every instance, critical ones included");

        private final String description;

        Health(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private final Health health;
    private final Set<String> tags;
    private final Map<String, Pattern> meta;

    InstanceFilter(Health health, Set<String> tags, Map<String, Pattern> meta) {
        this.health = health;
        this.tags = Set.copyOf(tags);
        this.meta = Map.copyOf(meta);
    }

    /**
     * Builds a filter from attribute values; {@code where} names the attribute prefix for error messages.
     */
    static InstanceFilter parse(Health health, String tags, String meta, String where) {
        Set<String> required = split(tags).collect(Collectors.toSet());
        Map<String, Pattern> patterns = new LinkedHashMap<>();
        split(meta).forEach(entry -> {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(where + ".meta: '" + entry + "' is not key=pattern (e.g. version=2.*)");
            }
            patterns.put(entry.substring(0, equals).strip(), glob(entry.substring(equals + 1).strip()));
        });
        return new InstanceFilter(health, required, patterns);
    }

    /** Healthy enough (see {@link HealthEntry#status()}), with every required tag and matching Meta. */
    boolean accepts(HealthEntry entry) {
        boolean healthy = switch (health) {
            case PASSING -> entry.passing();
            case PASSING_OR_WARNING -> entry.passing() || entry.status() == CheckStatus.WARNING;
            case ANY -> true;
        };
        if (!healthy) {
            return false;
        }
        if (!entry.tags().containsAll(tags)) {
            return false;
        }
        return meta.entrySet().stream().allMatch(wanted -> entry.meta().containsKey(wanted.getKey())
                && wanted.getValue().matcher(entry.meta().get(wanted.getKey())).matches());
    }

    /** Whether Consul can do the health filtering itself ({@code ?passing}). */
    boolean passingOnly() {
        return health == Health.PASSING;
    }

    private static Stream<String> split(String list) {
        return list == null ? Stream.empty()
                : Stream.of(list.split(",")).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** "2.*" matches 2.0 and 2.13; everything but * is literal. */
    private static Pattern glob(String glob) {
        return Pattern.compile(Stream.of(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
    }
}
