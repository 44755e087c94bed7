package com.example.fleet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LogCapture;

import io.quarkus.runtime.ExecutionModeManager;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;

/**
 * Configuration from KV as the runtime configuration reads it, against a real agent: the keys listed, one request,
 * and what each mode makes of an agent that cannot answer. The configuration's context is a plain map here.
 */
class ConsulKvConfigSourceFactoryTest {

    private static final String MASTER = UUID.randomUUID().toString();
    @RegisterExtension
    static final LogCapture LOG = new LogCapture(ConsulKvConfigSourceFactory.class);
    private static ConsulDevAgent agent;
    private static ConsulDevAgent aclAgent;

    @BeforeAll
    static void agents() {
        agent = ConsulDevAgent.start();
        aclAgent = ConsulDevAgent.start(Optional.of(MASTER));
        ConsulApi consul = new ConsulApi(agent.address());
        consul.putKey("config/fleet-service/greeting/message", "Hello from KV");
        consul.putKey("config/fleet-service/sample/limit", "7");
        consul.putKey("config/fleet-service/not-listed", "ignored");
        consul.putKey("config/other-service/greeting/message", "another service's");
    }

    @AfterAll
    static void stopAgents() {
        if (agent != null) {
            agent.close();
        }
        if (aclAgent != null) {
            aclAgent.close();
        }
    }

    @BeforeEach
    void runtimeConfiguration() {
        ExecutionModeManager.runtimeInit();
    }

    @AfterEach
    void noMode() {
        ExecutionModeManager.unset();
    }

    private static Map<String, String> settings(String address, String mode, String keys) {
        Map<String, String> settings = new HashMap<>(Map.of("quarkus.application.name", "fleet-service",
                "fleet.consul.address", address, "fleet.consul.config-mode", mode,
                "fleet.consul.request-timeout", "2s"));
        settings.put("fleet.consul.config-keys", keys);
        return settings;
    }

    private static List<ConfigSource> sources(Map<String, String> settings) {
        Iterable<ConfigSource> sources = new ConsulKvConfigSourceFactory().getConfigSources(new MapContext(settings));
        return java.util.stream.StreamSupport.stream(sources.spliterator(), false).toList();
    }

    @Test
    void theListedKeysBecomePropertiesAboveApplicationProperties() {
        List<ConfigSource> sources = sources(settings(agent.address(), "required",
                "greeting/message, /sample/limit/, missing/key"));

        assertThat(sources).hasSize(1);
        ConfigSource kv = sources.get(0);
        assertThat(kv.getOrdinal()).isEqualTo(270);
        assertThat(kv.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of("greeting.message", "Hello from KV",
                "sample.limit", "7"));
    }

    @Test
    void offAsksNothingAndNoKeysAskNothing() {
        assertThat(sources(settings("127.0.0.1:1", "off", "greeting/message"))).isEmpty();
        assertThat(sources(settings("127.0.0.1:1", "required", ""))).isEmpty();
    }

    @Test
    void aBuildNeverAsksTheAgent() {
        ExecutionModeManager.unset();
        assertThat(sources(settings("127.0.0.1:1", "required", "greeting/message"))).isEmpty();
    }

    @Test
    void requiredStopsTheStartNamingTheAgentAndTheMode() {
        assertThatThrownBy(() -> sources(settings("127.0.0.1:1", "required", "greeting/message")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fleet.consul.config-mode=required")
                .hasMessageContaining("http://127.0.0.1:1").hasMessageContaining("cannot be reached");
    }

    @Test
    void optionalCostsOneWarningAndTheDefaultsApply() {
        assertThat(sources(settings("127.0.0.1:1", "optional", "greeting/message"))).isEmpty();
        assertThat(LOG.lines(Level.WARNING, "http://127.0.0.1:1 cannot be reached")).hasSize(1);
    }

    @Test
    void aTokenWithoutKeyReadIsToldWhichPermissionItLacks() {
        ConsulApi admin = new ConsulApi(aclAgent.address(), Optional.of(MASTER));
        Map<String, String> settings = settings(aclAgent.address(), "required", "greeting/message");
        settings.put("fleet.consul.token", admin.createToken());
        assertThatThrownBy(() -> sources(settings)).hasMessageContaining("403")
                .hasMessageContaining("config/fleet-service/greeting/message")
                .hasMessageContaining("needs key:read on config/fleet-service/");
    }

    @Test
    void aTokenConsulDoesNotKnowIsSaidSo() {
        Map<String, String> settings = settings(aclAgent.address(), "required", "greeting/message");
        settings.put("fleet.consul.token", UUID.randomUUID().toString());
        assertThatThrownBy(() -> sources(settings)).hasMessageContaining("ACL not found")
                .hasMessageContaining("does not know the ACL token");
    }

    @Test
    void anUnknownModeIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> sources(settings(agent.address(), "sometimes", "greeting/message")))
                .hasMessage("Invalid value 'sometimes' for fleet.consul.config-mode: expected required, optional or"
                        + " off");
    }

    /** The configuration built so far, as the factory sees it. */
    private record MapContext(Map<String, String> values) implements ConfigSourceContext {
        @Override
        public ConfigValue getValue(String name) {
            return ConfigValue.builder().withName(name).withValue(values.get(name)).build();
        }

        @Override
        public List<String> getProfiles() {
            return List.of();
        }

        @Override
        public Iterator<String> iterateNames() {
            return values.keySet().iterator();
        }
    }
}
