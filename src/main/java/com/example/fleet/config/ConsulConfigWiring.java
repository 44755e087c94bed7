package com.example.fleet.config;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.annotation.Priority;

import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.consul.ConsulAddressConverter;
import com.example.fleet.consul.CaFiles;
import com.example.fleet.consul.CaTrustStore;
import com.example.fleet.consul.ConsulToken;
import com.example.fleet.devmode.DevModeConsul;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Supplies the values that application.properties wires into quarkus-config-consul, derived from the one
 * place the agent is configured ({@code fleet.consul.address}, i.e. CONSUL_HTTP_ADDR):
 * <ul>
 * <li>{@code fleet.consul.derived.host-port} and {@code .use-https}: the address split the way the extension
 * wants it;</li>
 * <li>{@code fleet.consul.derived.config-enabled}: whether to read KV at startup, from
 * {@code fleet.consul.config-mode} and whether the agent answers;</li>
 * <li>{@code fleet.consul.dev-agent.address}, which the dev profile's address falls back to: in dev mode with the
 * dev agent enabled, the agent started for it from {@code fleet.consul.dev-agent.binary}; elsewhere the
 * conventional local agent.</li>
 * </ul>
 * An interceptor, not a config source, because quarkus-config-consul reads its settings while configuration is
 * built: it sees plain sources and interceptors, but not what other source factories produce.
 */
@Priority(Priorities.LIBRARY + 100)
public class ConsulConfigWiring implements ConfigSourceInterceptor {

    static final String PREFIX = "fleet.consul.derived.";
    static final String DEV_AGENT_ADDRESS = "fleet.consul.dev-agent.address";
    private static final String CONVENTIONAL_ADDRESS = "127.0.0.1:8500";

    /** One probe per address and configuration build, so a down agent costs one timeout, not one per key. */
    private final Map<String, Boolean> enabledByAddress = new HashMap<>();
    /** One trust store per set of CA files and configuration build. */
    private final Map<String, Optional<CaTrustStore>> trustStores = new HashMap<>();

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (name.equals(DEV_AGENT_ADDRESS)) {
            return derived(name, devAgentAddress(context));
        }
        if (!name.startsWith(PREFIX)) {
            return context.proceed(name);
        }
        // an invalid address is reported once, by the fleet.consul mapping; until then KV stays off
        Optional<ConsulAddress> agent = address(context);
        Optional<CaTrustStore> stores = agent.filter(ConsulAddress::https).flatMap(https -> trustStore(context));
        return switch (name.substring(PREFIX.length())) {
            case "host-port" -> derived(name, agent.map(ConsulAddress::hostPort).orElse(CONVENTIONAL_ADDRESS));
            case "use-https" -> derived(name, Boolean.toString(agent.map(ConsulAddress::https).orElse(false)));
            case "token" -> derived(name, token(context));
            case "trust-store" -> derived(name, stores.map(CaTrustStore::file).map(Path::toString).orElse(""));
            case "trust-store-password" -> derived(name, stores.map(CaTrustStore::password).orElse(""));
            case "config-enabled" -> derived(name, Boolean.toString(agent.isPresent() && configEnabled(context,
                    agent.get(), stores)));
            default -> context.proceed(name);
        };
    }

    /**
     * quarkus-config-consul and the probe take no PEM file: the CA files (fleet.consul.tls.ca-cert and ca-path,
     * CONSUL_CACERT and CONSUL_CAPATH) as a trust store, written once per set of files. Files that cannot be read
     * give none here; the application's start then stops naming them.
     */
    private Optional<CaTrustStore> trustStore(ConfigSourceInterceptorContext context) {
        List<Path> cas;
        try {
            cas = CaFiles.of(path(context, "fleet.consul.tls.ca-cert"), path(context, "fleet.consul.tls.ca-path"));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (cas.isEmpty()) {
            return Optional.empty();
        }
        return trustStores.computeIfAbsent(cas.toString(), files -> {
            try {
                return Optional.of(CaTrustStore.write(cas));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    private static Optional<Path> path(ConfigSourceInterceptorContext context, String name) {
        return Optional.ofNullable(value(context, name)).map(String::strip).filter(v -> !v.isEmpty()).map(Path::of);
    }

    private static String devAgentAddress(ConfigSourceInterceptorContext context) {
        String enabled = value(context, "fleet.consul.dev-agent.enabled");
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && (enabled == null || Boolean.parseBoolean(enabled.strip()))) {
            return DevModeConsul.address(value(context, "fleet.consul.dev-agent.binary"));
        }
        return CONVENTIONAL_ADDRESS;
    }

    /**
     * The token quarkus-config-consul sends at startup, chosen as the application's own clients choose it
     * ({@link ConsulToken}: the token file's content when one is set, else fleet.consul.token). A file that cannot
     * be read gives none here; the application's start then stops naming the file.
     */
    private static String token(ConfigSourceInterceptorContext context) {
        try {
            return ConsulToken.of(Optional.ofNullable(value(context, "fleet.consul.token")),
                    path(context, "fleet.consul.token-file")).current().orElse("");
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String value(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.restart(name);
        return value == null ? null : value.getValue();
    }

    /** The agent, with HTTPS when its address says so or fleet.consul.tls.enabled (CONSUL_HTTP_SSL) does. */
    private static Optional<ConsulAddress> address(ConfigSourceInterceptorContext context) {
        ConfigValue value = context.restart("fleet.consul.address");
        boolean tls = Boolean.parseBoolean(Objects.requireNonNullElse(value(context, "fleet.consul.tls.enabled"), "")
                .strip());
        try {
            ConsulAddress agent = new ConsulAddressConverter().convert(
                    value == null || value.getValue() == null ? CONVENTIONAL_ADDRESS : value.getValue());
            return Optional.of(new ConsulAddress(agent.host(), agent.port(), agent.https() || tls));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private boolean configEnabled(ConfigSourceInterceptorContext context, ConsulAddress agent,
            Optional<CaTrustStore> stores) {
        ConfigValue value = context.restart("fleet.consul.config-mode");
        String mode = value == null || value.getValue() == null ? "optional"
                : value.getValue().strip().toLowerCase(Locale.ROOT);
        if (mode.equals("off")) {
            return false;
        }
        if (!mode.equals("required") && !mode.equals("optional")) {
            throw new IllegalArgumentException("Invalid value '" + value.getValue()
                    + "' for fleet.consul.config-mode: expected required, optional or off");
        }
        return enabledByAddress.computeIfAbsent(agent.baseUrl() + "|" + mode, key -> ConfigConsulProbe.canRead(agent,
                mode.equals("required"), stores, path(context, "fleet.consul.tls.client-cert").isPresent(),
                Optional.ofNullable(value(context, "fleet.consul.tls.server-name")).map(String::strip)
                        .filter(serverName -> agent.https() && !serverName.isEmpty())));
    }

    private static ConfigValue derived(String name, String value) {
        return ConfigValue.builder().withName(name).withValue(value).withConfigSourceName("fleet consul wiring")
                .build();
    }
}
