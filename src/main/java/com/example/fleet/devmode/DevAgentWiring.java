package com.example.fleet.devmode;

import jakarta.annotation.Priority;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Supplies {@code fleet.consul.dev-agent.address}, which the dev profile's {@code fleet.consul.address} falls back
 * to: in dev mode with the dev agent enabled, the address of the agent started for it; elsewhere the conventional
 * local agent. An interceptor, because the address must exist while configuration is built: quarkus-config-consul
 * reads Consul KV then.
 */
@Priority(Priorities.LIBRARY + 100)
public class DevAgentWiring implements ConfigSourceInterceptor {

    static final String ADDRESS = "fleet.consul.dev-agent.address";
    private static final String CONVENTIONAL_ADDRESS = "127.0.0.1:8500";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!name.equals(ADDRESS)) {
            return context.proceed(name);
        }
        String address = LaunchMode.current() == LaunchMode.DEVELOPMENT && enabled(context)
                ? DevModeConsul.address(value(context, "fleet.consul.dev-agent.binary"))
                : CONVENTIONAL_ADDRESS;
        return ConfigValue.builder().withName(name).withValue(address).withConfigSourceName("fleet dev agent").build();
    }

    private static boolean enabled(ConfigSourceInterceptorContext context) {
        String enabled = value(context, "fleet.consul.dev-agent.enabled");
        return enabled == null || Boolean.parseBoolean(enabled.strip());
    }

    private static String value(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.restart(name);
        return value == null ? null : value.getValue();
    }
}
