package com.example.fleet.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.annotation.Priority;

import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.consul.ConsulAddressConverter;
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

    private static final Logger LOG = Logger.getLogger(ConsulConfigWiring.class);
    static final String PREFIX = "fleet.consul.derived.";
    static final String DEV_AGENT_ADDRESS = "fleet.consul.dev-agent.address";
    private static final String CONVENTIONAL_ADDRESS = "127.0.0.1:8500";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    /** One probe per address and configuration build, so a down agent costs one timeout, not one per key. */
    private final Map<String, Boolean> enabledByAddress = new HashMap<>();

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
        return switch (name.substring(PREFIX.length())) {
            case "host-port" -> derived(name, agent.map(ConsulAddress::hostPort).orElse(CONVENTIONAL_ADDRESS));
            case "use-https" -> derived(name, Boolean.toString(agent.map(ConsulAddress::https).orElse(false)
                    || Boolean.parseBoolean(Objects.requireNonNullElse(value(context, "fleet.consul.tls.enabled"), "")
                            .strip())));
            case "token" -> derived(name, token(context));
            case "config-enabled" -> derived(name, Boolean.toString(agent.isPresent() && configEnabled(context,
                    agent.get())));
            default -> context.proceed(name);
        };
    }

    private static String devAgentAddress(ConfigSourceInterceptorContext context) {
        String enabled = value(context, "fleet.consul.dev-agent.enabled");
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && (enabled == null || Boolean.parseBoolean(enabled.strip()))) {
            return DevModeConsul.address(value(context, "fleet.consul.dev-agent.binary"));
        }
        return CONVENTIONAL_ADDRESS;
    }

    /**
     * The token quarkus-config-consul sends at startup: the token file's content when one is set (as the
     * application's own clients do), else fleet.consul.token. A file that cannot be read gives none here; the
     * application's start then stops naming the file.
     */
    private static String token(ConfigSourceInterceptorContext context) {
        String file = value(context, "fleet.consul.token-file");
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file.strip())).strip();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
        return Objects.requireNonNullElse(value(context, "fleet.consul.token"), "");
    }

    private static String value(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.restart(name);
        return value == null ? null : value.getValue();
    }

    private static Optional<ConsulAddress> address(ConfigSourceInterceptorContext context) {
        ConfigValue value = context.restart("fleet.consul.address");
        try {
            return Optional.of(new ConsulAddressConverter().convert(
                    value == null || value.getValue() == null ? CONVENTIONAL_ADDRESS : value.getValue()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private boolean configEnabled(ConfigSourceInterceptorContext context, ConsulAddress agent) {
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
        return enabledByAddress.computeIfAbsent(agent.baseUrl() + "|" + mode, key -> probe(agent, mode));
    }

    private static boolean probe(ConsulAddress agent, String mode) {
        try {
            if (AgentProbe.leader(agent, PROBE_TIMEOUT).isEmpty()) {
                // without a leader the agent cannot serve KV reads, which quarkus-config-consul would take for
                // missing keys
                throw new IOException("the agent answers but has no cluster leader");
            }
            return true;
        } catch (IOException e) {
            if (mode.equals("required")) {
                throw new IllegalStateException("Configuration from Consul is required (fleet.consul.config-mode="
                        + "required) but the Consul agent at " + agent + " cannot be reached ("
                        + AgentProbe.describe(e) + "). Start the agent, point CONSUL_HTTP_ADDR at one, or set"
                        + " fleet.consul.config-mode=optional to start with the defaults.");
            }
            LOG.warnf("The Consul agent at %s cannot be reached (%s): starting without configuration from Consul KV;"
                    + " defaults apply until the next start (fleet.consul.config-mode=optional)", agent,
                    AgentProbe.describe(e));
            return false;
        }
    }

    private static ConfigValue derived(String name, String value) {
        return ConfigValue.builder().withName(name).withValue(value).withConfigSourceName("fleet consul wiring")
                .build();
    }
}
