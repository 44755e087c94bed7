package com.example.fleet.calls;

import java.time.Duration;

/** Call settings for tests, with the defaults of {@link CallSettings} unless changed. */
record TestCallSettings(int maxRetries, Duration perTryTimeout, Duration callTimeout, int percent, int minPerSecond,
        Duration window) implements CallSettings {

    static TestCallSettings defaults() {
        return new TestCallSettings(2, Duration.ofSeconds(1), Duration.ofSeconds(30), 20, 10, Duration.ofSeconds(10));
    }

    TestCallSettings withPerTryTimeout(Duration timeout) {
        return new TestCallSettings(maxRetries, timeout, callTimeout, percent, minPerSecond, window);
    }

    TestCallSettings withBudget(int percent, int minPerSecond) {
        return new TestCallSettings(maxRetries, perTryTimeout, callTimeout, percent, minPerSecond, window);
    }

    @Override
    public int connectionsPerInstance() {
        return 50;
    }

    @Override
    public RetryBudgetSettings retryBudget() {
        return new RetryBudgetSettings() {
            @Override
            public int percent() {
                return percent;
            }

            @Override
            public int minPerSecond() {
                return minPerSecond;
            }

            @Override
            public Duration window() {
                return window;
            }
        };
    }
}
