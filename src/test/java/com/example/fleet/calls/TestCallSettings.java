package com.example.fleet.calls;

import java.time.Duration;

/**
 * Call settings for tests, with the defaults of {@link CallSettings} unless changed, but for hedging: off unless a
 * test turns it on, so that each test sees the tries it sends.
 */
record TestCallSettings(int maxRetries, Duration perTryTimeout, Duration callTimeout, int percent, int minPerSecond,
        Duration window, boolean hedging) implements CallSettings {

    static TestCallSettings defaults() {
        return new TestCallSettings(2, Duration.ofSeconds(1), Duration.ofSeconds(30), 20, 10, Duration.ofSeconds(10),
                false);
    }

    TestCallSettings withPerTryTimeout(Duration timeout) {
        return new TestCallSettings(maxRetries, timeout, callTimeout, percent, minPerSecond, window, hedging);
    }

    TestCallSettings withMaxRetries(int retries) {
        return new TestCallSettings(retries, perTryTimeout, callTimeout, percent, minPerSecond, window, hedging);
    }

    TestCallSettings withBudget(int percent, int minPerSecond) {
        return new TestCallSettings(maxRetries, perTryTimeout, callTimeout, percent, minPerSecond, window, hedging);
    }

    /** Hedging on, with the default percentile (95) and minimum delay (10ms). */
    TestCallSettings withHedging() {
        return new TestCallSettings(maxRetries, perTryTimeout, callTimeout, percent, minPerSecond, window, true);
    }

    @Override
    public HedgeSettings hedge() {
        return new HedgeSettings() {
            @Override
            public boolean enabled() {
                return hedging;
            }

            @Override
            public int percentile() {
                return 95;
            }

            @Override
            public Duration minDelay() {
                return Duration.ofMillis(10);
            }
        };
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
