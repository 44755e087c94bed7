package com.example.fleet.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    // nanoTime has an arbitrary origin, possibly negative
    private final AtomicLong now = new AtomicLong(-7_000_000_000L);

    private RetryBudget budget(int percent, int minPerSecond) {
        return new RetryBudget(TestCallSettings.defaults().withBudget(percent, minPerSecond).retryBudget(), now::get);
    }

    private static long retriesAllowed(RetryBudget budget, int asked) {
        return IntStream.range(0, asked).filter(i -> budget.tryRetry()).count();
    }

    @Test
    void withoutCallsOnlyTheFloorIsAllowed() {
        RetryBudget budget = budget(20, 10);

        assertThat(retriesAllowed(budget, 500)).as("10 per second of a 10 s window").isEqualTo(100);
    }

    @Test
    void retriesAreAShareOfTheCallsInTheWindow() {
        RetryBudget budget = budget(20, 0);
        IntStream.range(0, 1_000).forEach(i -> budget.called());

        assertThat(retriesAllowed(budget, 1_000)).isEqualTo(200);
    }

    @Test
    void callsAndRetriesStopCountingOnceOlderThanTheWindow() {
        RetryBudget budget = budget(20, 0);
        IntStream.range(0, 100).forEach(i -> budget.called());
        assertThat(retriesAllowed(budget, 100)).isEqualTo(20);

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        IntStream.range(0, 100).forEach(i -> budget.called());
        assertThat(retriesAllowed(budget, 100)).as("200 calls and 20 retries in the window").isEqualTo(20);

        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(retriesAllowed(budget, 100)).as("the first 100 calls and their 20 retries have expired")
                .isZero();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        IntStream.range(0, 10).forEach(i -> budget.called());
        assertThat(retriesAllowed(budget, 100)).as("only the 10 new calls count").isEqualTo(2);
    }

    @Test
    void aZeroBudgetAllowsNoRetry() {
        RetryBudget budget = budget(0, 0);
        IntStream.range(0, 100).forEach(i -> budget.called());

        assertThat(budget.tryRetry()).isFalse();
    }
}
