package com.example.fleet.consul;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A Consul agent address in the form every Consul tool accepts for {@code CONSUL_HTTP_ADDR}:
 * {@code host:port}, optionally prefixed with {@code http://} or {@code https://}.
 */
public record ConsulAddress(String host, int port, boolean https) {

    public static final int DEFAULT_PORT = 8500;

    /**
     * Parses an address, naming {@code property} in the error so a typo points at the setting that holds it.
     */
    public static ConsulAddress parse(String value, String property) {
        if (value == null || value.isBlank()) {
            throw invalid(property, value, "it is empty");
        }
        String text = value.strip();
        boolean https = false;
        int scheme = text.indexOf("://");
        if (scheme >= 0) {
            String name = text.substring(0, scheme).toLowerCase();
            if (!name.equals("http") && !name.equals("https")) {
                throw invalid(property, value, "the scheme must be http or https, not '" + name + "'");
            }
            https = name.equals("https");
            text = text.substring(scheme + 3);
        }
        if (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.contains("/") || text.contains("?") || text.contains("#")) {
            throw invalid(property, value, "it must be host:port without a path");
        }
        URI uri;
        try {
            uri = new URI(null, text, null, null, null).parseServerAuthority();
        } catch (URISyntaxException e) {
            throw invalid(property, value, "'" + text + "' is not a valid host:port");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null) {
            throw invalid(property, value, "'" + text + "' is not a valid host:port");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw invalid(property, value, "port " + port + " is outside 1-65535");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ConsulAddress(host, port, https);
    }

    private static IllegalArgumentException invalid(String property, String value, String reason) {
        return new IllegalArgumentException(
                "Invalid Consul address '" + value + "' in " + property + ": " + reason
                        + " (expected host:port, optionally with http:// or https://, as in CONSUL_HTTP_ADDR)");
    }

    /** host:port, with an IPv6 address in brackets. */
    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public String baseUrl() {
        return (https ? "https://" : "http://") + hostPort();
    }

    @Override
    public String toString() {
        return baseUrl();
    }
}
