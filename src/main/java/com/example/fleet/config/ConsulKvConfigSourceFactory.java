package com.example.fleet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import com.example.fleet.consul.AgentProbe;
import com.example.fleet.consul.ConsulAddress;
import com.example.fleet.consul.ConsulToken;
import com.example.fleet.consul.tls.JdkTls;
import com.example.fleet.support.PositiveDuration;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Configuration from Consul KV: the keys {@code fleet.consul.config-keys} names under
 * {@code fleet.consul.config-prefix} ({@code config/<application>/}), read once while the runtime configuration is
 * built, one read per key, with the application's own agent settings (address, token or token file, CA files, client
 * certificate, server name). Key {@code greeting/message} becomes property {@code greeting.message}, above
 * application.properties and below the environment. {@code fleet.consul.config-mode} decides what an agent that
 * cannot answer costs: the start ({@code required}), one warning ({@code optional}), or nothing, since nothing is
 * asked ({@code off}). Runtime only: a build never asks the agent.
 */
public class ConsulKvConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 270;
    private static final Logger LOG = Logger.getLogger(ConsulKvConfigSourceFactory.class);
    private static final String MODE = "fleet.consul.config-mode";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String mode = Optional.ofNullable(value(context, MODE)).map(v -> v.strip().toLowerCase(Locale.ROOT))
                .orElse("optional");
        if (!Set.of("required", "optional", "off").contains(mode)) {
            throw new IllegalArgumentException("Invalid value '" + value(context, MODE) + "' for " + MODE
                    + ": expected required, optional or off");
        }
        List<String> keys = list(value(context, "fleet.consul.config-keys"));
        // a build reads the runtime configuration too, but must never ask an agent
        boolean building = ExecutionMode.current() == ExecutionMode.UNSET;
        if (mode.equals("off") || keys.isEmpty() || building) {
            return List.of();
        }
        Optional<Agent> agent = Agent.of(context);
        if (agent.isEmpty()) {
            // the mapping of fleet.consul names the bad setting when the application starts
            return List.of();
        }
        String prefix = trimSlashes(Optional.ofNullable(value(context, "fleet.consul.config-prefix"))
                .orElse("config/" + value(context, "quarkus.application.name")));
        try {
            Map<String, String> found = read(agent.get(), prefix, keys);
            return List.of(new PropertiesConfigSource(found, "Consul KV " + prefix + "/", ORDINAL));
        } catch (IOException e) {
            String reason = AgentProbe.describe(e);
            if (mode.equals("required")) {
                throw new IllegalStateException("Configuration from Consul is required (" + MODE + "=required) but"
                        + " the Consul agent at " + agent.get().address() + " cannot be reached (" + reason + ")."
                        + " Start the agent, point CONSUL_HTTP_ADDR at one, or set " + MODE + "=optional to start"
                        + " with the defaults.");
            }
            LOG.warnf("The Consul agent at %s cannot be reached (%s): starting without configuration from Consul KV;"
                    + " defaults apply until the next start (%s=optional)", agent.get().address(), reason, MODE);
            return List.of();
        }
    }

    /**
     * The values of {@code keys} under {@code prefix}, one read each: a recursive read would be one request, but
     * Consul filters what a token may not read out of it silently, where a read of one key answers 403.
     */
    private static Map<String, String> read(Agent agent, String prefix, List<String> keys) throws IOException {
        Map<String, String> found = new HashMap<>();
        for (String key : keys) {
            String path = prefix + "/" + key;
            AgentProbe.Answer answer = AgentProbe.get(agent.address(), "/v1/kv/" + path, agent.token(),
                    agent.timeout(), agent.tls());
            if (answer.status() == 404) {
                continue;
            }
            if (answer.status() == 403) {
                throw new IOException("Consul answered 403 (" + answer.body().strip() + ") to a read of " + path + ": "
                        + (answer.body().contains("ACL not found") ? "it does not know the ACL token "
                                + agent.tokenSource() : "the ACL token " + agent.tokenSource() + " needs key:read on "
                                        + prefix + "/"));
            }
            if (answer.status() != 200) {
                throw new IOException("Consul answered " + answer.status() + " (" + answer.body().strip() + ")");
            }
            String value = AgentProbe.keyValues(answer.body()).get(path);
            if (value != null) {
                found.put(key.replace('/', '.'), new String(Base64.getDecoder().decode(value),
                        StandardCharsets.UTF_8));
            }
        }
        LOG.debugf("Configuration from Consul KV %s/: %s of %s", prefix, found.keySet(), keys);
        return found;
    }

    /** How to reach the agent, from the same settings the application's clients use. */
    private record Agent(ConsulAddress address, Optional<String> token, String tokenSource, Duration timeout,
            Optional<JdkTls> tls) {

        /** Empty when a setting is invalid. */
        static Optional<Agent> of(ConfigSourceContext context) {
            try {
                ConsulAddress given = ConsulAddress.parse(Optional.ofNullable(value(context, "fleet.consul.address"))
                        .orElse("127.0.0.1:" + ConsulAddress.DEFAULT_PORT), "fleet.consul.address (CONSUL_HTTP_ADDR)");
                RawTls tls = RawTls.of(context);
                ConsulAddress address = new ConsulAddress(given.host(), given.port(), given.https() || tls.enabled());
                ConsulToken token = ConsulToken.of(Optional.ofNullable(value(context, "fleet.consul.token")),
                        RawTls.path(value(context, "fleet.consul.token-file")));
                Duration timeout = new PositiveDuration().convert(Optional.ofNullable(value(context,
                        "fleet.consul.request-timeout")).orElse("3s"), "fleet.consul.request-timeout");
                return Optional.of(new Agent(address, token.current(), token.source(), timeout,
                        address.https() ? Optional.of(JdkTls.of(tls)) : Optional.empty()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(trimSlashes(item.strip()));
                }
            }
        }
        return items;
    }

    private static String trimSlashes(String path) {
        String trimmed = path.strip();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
