package com.example.fleet.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh Consul dev agent for every test ({@code @RegisterExtension}), stopped after it, also on failure; for
 * tests that stop or restart the agent and must not leave their state to the next one.
 */
public final class ConsulAgentPerTest implements BeforeEachCallback, AfterEachCallback {

    private ConsulDevAgent agent;
    private ConsulApi consul;

    @Override
    public void beforeEach(ExtensionContext context) {
        agent = ConsulDevAgent.start();
        consul = new ConsulApi(agent.address());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        agent.close();
    }

    public ConsulDevAgent agent() {
        return agent;
    }

    /** host:port of the agent, as CONSUL_HTTP_ADDR takes it. */
    public String address() {
        return agent.address();
    }

    public ConsulApi consul() {
        return consul;
    }
}
