package com.example.fleet.config;

import jakarta.annotation.Priority;

import com.example.fleet.devmode.DevModeConsul;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Supplies {@code fleet.consul.dev-agent.address}, which the dev profile's {@code fleet.consul.address} falls back
 * to when CONSUL_HTTP_ADDR is not set: in dev mode with the dev agent enabled, the agent started for it from
 * {@code fleet.consul.dev-agent.binary}; elsewhere the conventional local agent. An interceptor, so that the agent
 * is started only when the address is asked for, before configuration from KV is read from it.
 */
@Priority(Priorities.LIBRARY + 100)
public class DevAgentAddress implements ConfigSourceInterceptor {

    static final String PROPERTY = "fleet.consul.dev-agent.address";
    private static final String CONVENTIONAL_ADDRESS = "127.0.0.1:8500";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!name.equals(PROPERTY)) {
            return context.proceed(name);
        }
        return ConfigValue.builder().withName(name).withValue(address(context)).withConfigSourceName("dev agent")
                .build();
    }

    private static String address(ConfigSourceInterceptorContext context) {
        String enabled = value(context, "fleet.consul.dev-agent.enabled");
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && (enabled == null || Boolean.parseBoolean(enabled.strip()))) {
            return DevModeConsul.address(value(context, "fleet.consul.dev-agent.binary"));
        }
        return CONVENTIONAL_ADDRESS;
    }

    private static String value(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.restart(name);
        return value == null ? null : value.getValue();
    }
}
