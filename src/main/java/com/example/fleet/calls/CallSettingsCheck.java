package com.example.fleet.calls;

import java.util.ArrayList;
import java.util.List;

/** The ranges of the call settings, checked at start so that a value outside them stops it, every problem named. */
final class CallSettingsCheck {

    static final int MOST_RETRIES = 10;

    private CallSettingsCheck() {
    }

    /** @throws IllegalArgumentException naming each setting out of range and its value */
    static void requireValid(CallSettings settings) {
        List<String> problems = new ArrayList<>();
        if (settings.maxRetries() < 0 || settings.maxRetries() > MOST_RETRIES) {
            problems.add("fleet.calls.max-retries: " + settings.maxRetries() + " is outside 0 to " + MOST_RETRIES);
        }
        if (settings.connectionsPerInstance() < 1) {
            problems.add("fleet.calls.connections-per-instance: " + settings.connectionsPerInstance()
                    + " must be at least 1");
        }
        CallSettings.RetryBudgetSettings budget = settings.retryBudget();
        if (budget.percent() < 0 || budget.percent() > 100) {
            problems.add("fleet.calls.retry-budget.percent: " + budget.percent() + " is outside 0 to 100");
        }
        if (budget.minPerSecond() < 0) {
            problems.add("fleet.calls.retry-budget.min-per-second: " + budget.minPerSecond() + " is negative");
        }
        if (budget.window().toSeconds() < 1) {
            problems.add("fleet.calls.retry-budget.window: " + budget.window() + " is shorter than 1s");
        }
        int percentile = settings.hedge().percentile();
        if (percentile < 50 || percentile > 99) {
            problems.add("fleet.calls.hedge.percentile: " + percentile + " is outside 50 to 99");
        }
        if (settings.perTryTimeout().compareTo(settings.callTimeout()) > 0) {
            problems.add("fleet.calls.per-try-timeout: " + settings.perTryTimeout()
                    + " is longer than fleet.calls.call-timeout (" + settings.callTimeout() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid call settings: " + String.join("; ", problems));
        }
    }
}
