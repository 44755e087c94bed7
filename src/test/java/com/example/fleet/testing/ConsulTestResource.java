package com.example.fleet.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real Consul dev agent before the application reads its configuration, seeds the greeting key, and
 * points the application at it with short TTLs so tests see heartbeats quickly. Stopped after the tests, and by
 * the agent's own JVM binding if the test JVM dies.
 */
public class ConsulTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String GREETING = "Hello from Consul KV";
    private static volatile ConsulDevAgent agent;

    /** The agent of the running test class. */
    public static ConsulDevAgent agent() {
        return agent;
    }

    @Override
    public Map<String, String> start() {
        agent = ConsulDevAgent.start();
        new ConsulApi(agent.address()).putKey("config/fleet-service/greeting/message", GREETING);
        return Map.of(
                "fleet.consul.address", agent.address(),
                "quarkus.http.test-port", "0",
                "fleet.registration.ttl", "3s",
                "fleet.registration.retry-max-delay", "1s");
    }

    @Override
    public void stop() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }
}
