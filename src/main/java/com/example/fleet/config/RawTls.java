package com.example.fleet.config;

import java.nio.file.Path;
import java.util.Optional;

import com.example.fleet.consul.tls.TlsSettings;

import io.smallrye.config.ConfigSourceContext;

/** {@code fleet.consul.tls.*} as plain values, while configuration is built and before its mapping exists. */
record RawTls(boolean enabled, Optional<Path> caCert, Optional<Path> caPath, Optional<Path> clientCert,
        Optional<Path> clientKey, Optional<String> serverName, boolean verify) implements TlsSettings {

    static RawTls of(ConfigSourceContext context) {
        return new RawTls(flag(context, "enabled", false), path(tls(context, "ca-cert")), path(tls(context, "ca-path")),
                path(tls(context, "client-cert")), path(tls(context, "client-key")),
                Optional.ofNullable(tls(context, "server-name")).map(String::strip), flag(context, "verify", true));
    }

    static Optional<Path> path(String value) {
        return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty()).map(Path::of);
    }

    private static String tls(ConfigSourceContext context, String name) {
        return ConsulKvConfigSourceFactory.value(context, "fleet.consul.tls." + name);
    }

    private static boolean flag(ConfigSourceContext context, String name, boolean otherwise) {
        String value = tls(context, name);
        return value == null ? otherwise : Boolean.parseBoolean(value.strip());
    }
}
