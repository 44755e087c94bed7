package com.example.fleet.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The attributes given to one discovery, read strictly: a value that cannot work stops the start with an error
 * naming the property ({@code quarkus.stork.<service>.service-discovery.<attribute>}) and what it expects. A blank
 * value counts as not given, as Stork's own defaults of {@code ""} mean.
 */
final class GivenAttributes {

    private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_-]+");

    private final String storkService;
    private final Map<String, String> values;

    GivenAttributes(String storkService, Map<String, String> values) {
        this.storkService = storkService;
        this.values = Map.copyOf(values);
    }

    String storkService() {
        return storkService;
    }

    /** The names given, as written, in alphabetical order. */
    Iterable<String> names() {
        return new TreeSet<>(values.keySet());
    }

    /** The prefix of this discovery's properties. */
    String where() {
        return "quarkus.stork." + storkService + ".service-discovery";
    }

    String property(String attribute) {
        return where() + "." + attribute;
    }

    /** The value, stripped; empty when not given or blank. */
    Optional<String> text(String attribute) {
        return Optional.ofNullable(values.get(attribute)).map(String::strip).filter(value -> !value.isEmpty());
    }

    /** {@code true} or {@code false} in any case; anything else is an error rather than false. */
    Optional<Boolean> flag(String attribute) {
        return text(attribute).map(value -> switch (value.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(attribute, value, "is neither true nor false");
        });
    }

    /** A TCP port, 1 to 65535. */
    Optional<Integer> port(String attribute) {
        return text(attribute).map(value -> {
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw invalid(attribute, value, "is not a port number (1-65535)");
            }
            if (port < 1 || port > 65535) {
                throw invalid(attribute, value, "is outside the port range 1-65535");
            }
            return port;
        });
    }

    /** A host name or IP address alone: no scheme, port or path, which have attributes of their own. */
    Optional<String> host(String attribute) {
        return text(attribute).map(value -> {
            String bare = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
            if (value.contains("://")) {
                throw invalid(attribute, value, "is a URL: give the host alone, HTTPS with ssl=true");
            }
            if (bare.contains("/") || bare.contains(" ") || (bare.contains(":") && bare.equals(value))) {
                throw invalid(attribute, value, "is not a host name or IP address alone (the port goes in consul-port;"
                        + " an IPv6 address in brackets)");
            }
            return bare;
        });
    }

    /**
     * Datacenter names, comma-separated, in order, each at most once: what Consul accepts as a datacenter name
     * (letters, digits, '-', '_').
     */
    List<String> datacenters(String attribute) {
        List<String> names = new ArrayList<>();
        text(attribute).ifPresent(value -> {
            for (String part : value.split(",", -1)) {
                String name = part.strip();
                if (!DATACENTER.matcher(name).matches()) {
                    throw invalid(attribute, value, name.isEmpty() ? "has an empty datacenter name"
                            : "names '" + name + "', which is no Consul datacenter name (letters, digits, '-', '_')");
                }
                if (names.contains(name)) {
                    throw invalid(attribute, value, "names '" + name + "' twice");
                }
                names.add(name);
            }
        });
        return names;
    }

    IllegalArgumentException invalid(String attribute, String value, String problem) {
        return new IllegalArgumentException(property(attribute) + ": '" + value + "' " + problem);
    }
}
