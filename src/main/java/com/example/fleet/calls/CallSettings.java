package com.example.fleet.calls;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * How the sample calls its fleet: a try per instance bounded by its own timeout, retries of idempotent calls on
 * other instances while a budget shared by all calls allows them.
 */
@ConfigMapping(prefix = "fleet.calls")
public interface CallSettings {

    /** Retries of one idempotent call at most (0 to 10), each on another instance; non-idempotent calls get none. */
    @WithDefault("2")
    int maxRetries();

    /**
     * How long one try of the greeting may take before it goes elsewhere; a call that asks for work of N ms gets
     * N ms more. Short, so that an instance that accepts calls and never answers costs one short wait.
     */
    @WithDefault("1s")
    @WithConverter(PositiveDuration.class)
    Duration perTryTimeout();

    /** The whole call, every try included; a try never outlasts what is left of it. */
    @WithDefault("30s")
    @WithConverter(PositiveDuration.class)
    Duration callTimeout();

    /** Connections kept open to each instance; calls beyond wait for one. */
    @WithDefault("50")
    int connectionsPerInstance();

    RetryBudgetSettings retryBudget();

    /** Backup tries of idempotent calls (hedging). */
    HedgeSettings hedge();

    /**
     * Retries allowed within {@link #window()}: {@link #percent()} of the calls made in it, plus
     * {@link #minPerSecond()} per second of it, so that a quiet client can still retry (Finagle's retry budget).
     * When every instance fails, a busy client makes at most about 1 + percent/100 attempts per call.
     */
    interface RetryBudgetSettings {

        /** Retries as a share of calls, 0 to 100. */
        @WithDefault("20")
        int percent();

        /** Retries always allowed per second of the window, whatever the calls, 0 or more. */
        @WithDefault("10")
        int minPerSecond();

        /** How long a call counts towards the budget. */
        @WithDefault("10s")
        @WithConverter(PositiveDuration.class)
        Duration window();
    }

    /**
     * A backup try on another instance when an idempotent call's try has not answered within a high percentile of
     * recent answer times (Finagle's backup requests): the first answer wins and the other try is cancelled. Each
     * backup counts as a retry, in {@link #maxRetries()} and in the retry budget, so that backups never add more
     * load than retries may.
     */
    interface HedgeSettings {

        /** Send backup tries. */
        @WithDefault("true")
        boolean enabled();

        /** The percentile (50 to 99) of the recent answer times after which a backup goes. */
        @WithDefault("95")
        int percentile();

        /** Never sooner than this after the try it backs up, whatever the answer times. */
        @WithDefault("10ms")
        @WithConverter(PositiveDuration.class)
        Duration minDelay();
    }
}
