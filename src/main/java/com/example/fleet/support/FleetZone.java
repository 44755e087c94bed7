package com.example.fleet.support;

import java.util.Optional;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The zone this instance runs in, {@code fleet.zone} ({@code FLEET_ZONE}): registered as Meta {@code zone}, and
 * the zone whose instances its calls prefer. None by default.
 */
public final class FleetZone {

    public static final String PROPERTY = "fleet.zone";

    /** What a Kubernetes label value may be, so that topology.kubernetes.io/zone always fits. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

    private FleetZone() {
    }

    /**
     * The zone given, trimmed; none when unset or blank (what Kubernetes passes for a node without the zone label).
     *
     * @throws IllegalArgumentException naming the setting and the value, when it is no zone name
     */
    public static Optional<String> parse(Optional<String> given) {
        Optional<String> zone = given.map(String::trim).filter(value -> !value.isEmpty());
        zone.ifPresent(value -> {
            if (!NAME.matcher(value).matches()) {
                throw new IllegalArgumentException(PROPERTY + " (FLEET_ZONE): '" + value + "' is not a zone name:"
                        + " at most 63 letters, digits, '.', '_' and '-', beginning and ending with a letter or digit");
            }
        });
        return zone;
    }

    /** The configured zone, read from the application's configuration. */
    public static Optional<String> configured() {
        return parse(ConfigProvider.getConfig().getOptionalValue(PROPERTY, String.class));
    }
}
