package com.example.fleet.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/** The fault rates of the sample: their checks, the share of calls each gets, and what a hung call becomes. */
class GreetingResourceFaultRatesTest {

    private static final String INSTANCE = "fleet-service-127.0.0.1-8080";

    private final MeterRegistry meters = new SimpleMeterRegistry();

    private InjectedFaults faults(double failure, double hang) {
        Random seeded = new Random(42);
        return new InjectedFaults(new FaultRates(failure, hang), Duration.ZERO, meters, seeded::nextDouble);
    }

    private static Uni<String> ok() {
        return Uni.createFrom().item("ok");
    }

    @Test
    void eachRateGetsItsShareOfTheCalls() {
        FaultRates rates = new FaultRates(0.2, 0.1);
        Random seeded = new Random(7);
        int[] counts = new int[FaultRates.Fault.values().length];
        int calls = 100_000;
        for (int i = 0; i < calls; i++) {
            counts[rates.draw(seeded.nextDouble()).ordinal()]++;
        }
        assertThat(counts[FaultRates.Fault.FAIL.ordinal()] / (double) calls).isBetween(0.19, 0.21);
        assertThat(counts[FaultRates.Fault.HANG.ordinal()] / (double) calls).isBetween(0.09, 0.11);
    }

    @Test
    void zeroNeverAndOneAlwaysAtTheEdgesOfTheRandomRange() {
        double justBelowOne = Math.nextDown(1.0);
        assertThat(FaultRates.NONE.draw(0.0)).isEqualTo(FaultRates.Fault.NONE);
        assertThat(new FaultRates(1, 0).draw(justBelowOne)).isEqualTo(FaultRates.Fault.FAIL);
        assertThat(new FaultRates(0, 1).draw(0.0)).isEqualTo(FaultRates.Fault.HANG);
        assertThat(new FaultRates(0, 1).draw(justBelowOne)).isEqualTo(FaultRates.Fault.HANG);
        assertThat(new FaultRates(0.5, 0.5).draw(0.5)).isEqualTo(FaultRates.Fault.HANG);
    }

    @Test
    void aRateOutsideZeroToOneStopsTheStartNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> InjectedFaults.checked(1.5, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleet.sample.failure-rate: 1.5 is not a share from 0 to 1");
        assertThatThrownBy(() -> InjectedFaults.checked(0, -0.1, Duration.ZERO))
                .hasMessageContaining("fleet.sample.hang-rate: -0.1 is not a share from 0 to 1");
        assertThatThrownBy(() -> InjectedFaults.checked(Double.NaN, 0, Duration.ZERO))
                .hasMessageContaining("fleet.sample.failure-rate: NaN");
    }

    @Test
    void ratesAddingUpToMoreThanOneAreRefusedNamingBoth() {
        assertThatThrownBy(() -> InjectedFaults.checked(0.6, 0.5, Duration.ZERO))
                .hasMessageContaining(
                        "fleet.sample.failure-rate (0.6) and fleet.sample.hang-rate (0.5) together exceed 1");
        assertThat(InjectedFaults.checked(0.5, 0.5, Duration.ZERO)).isEqualTo(new FaultRates(0.5, 0.5));
    }

    @Test
    void aNegativeResponseDelayIsRefusedAlongWithEveryOtherProblem() {
        assertThatThrownBy(() -> InjectedFaults.checked(2, 0, Duration.ofSeconds(-1)))
                .hasMessageContaining("fleet.sample.failure-rate: 2.0")
                .hasMessageContaining("fleet.sample.response-delay: PT-1S is negative");
    }

    @Test
    void anInjectedFailureIsA503NamingTheSettingAndIsCounted() {
        InjectedFaults faults = faults(1, 0);
        AtomicInteger called = new AtomicInteger();

        UniAssertSubscriber<String> answer = faults.inject(INSTANCE, () -> {
            called.incrementAndGet();
            return ok();
        }).subscribe().withSubscriber(UniAssertSubscriber.create());

        WebApplicationException failure = (WebApplicationException) answer.assertFailed().getFailure();
        assertThat(failure.getResponse().getStatus()).isEqualTo(503);
        assertThat(failure.getResponse().getEntity()).isEqualTo(
                new InjectedFaults.InjectedFault("injected failure", "fleet.sample.failure-rate", INSTANCE));
        assertThat(called).as("the real call is not made").hasValue(0);
        assertThat(meters.counter("fleet.sample.injected.failures").count()).isEqualTo(1);
    }

    @Test
    void withoutFaultsEveryCallIsAnsweredNormally() {
        InjectedFaults faults = faults(0, 0);
        for (int i = 0; i < 100; i++) {
            faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                    .withSubscriber(UniAssertSubscriber.create()).assertItem("ok");
        }
        assertThat(meters.counter("fleet.sample.injected.failures").count()).isZero();
        assertThat(meters.counter("fleet.sample.injected.hangs").count()).isZero();
    }

    @Test
    void aHungCallStaysOpenUntilShutdownAnswersIt503() {
        InjectedFaults faults = faults(0, 1);

        UniAssertSubscriber<String> first = faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<String> second = faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        first.assertNotTerminated();
        second.assertNotTerminated();
        assertThat(faults.hungRequests()).isEqualTo(2);
        assertThat(meters.get("fleet.sample.hung.requests").gauge().value()).isEqualTo(2);
        assertThat(meters.counter("fleet.sample.injected.hangs").count()).isEqualTo(2);

        faults.stop();

        for (UniAssertSubscriber<String> released : List.of(first, second)) {
            WebApplicationException failure = (WebApplicationException) released.assertFailed().getFailure();
            assertThat(failure.getResponse().getStatus()).isEqualTo(503);
            assertThat(failure.getResponse().getEntity()).isEqualTo(new InjectedFaults.InjectedFault(
                    "hung request released at shutdown", "fleet.sample.hang-rate", INSTANCE));
        }
        assertThat(faults.hungRequests()).isZero();
    }

    @Test
    void aCallDrawnToHangOnceShutdownBeganIsAnsweredAtOnce() {
        InjectedFaults faults = faults(0, 1);
        faults.stop();

        faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create()).assertFailedWith(WebApplicationException.class);
        assertThat(faults.hungRequests()).isZero();
    }

    @Test
    void aHungCallWhoseClientGaveUpIsForgotten() {
        InjectedFaults faults = faults(0, 1);
        UniAssertSubscriber<String> hung = faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create());
        assertThat(faults.hungRequests()).isEqualTo(1);

        hung.cancel();

        assertThat(faults.hungRequests()).isZero();
    }

    @Test
    void aChangeAppliesToTheNextCallsAndLeavesHungOnesHung() {
        InjectedFaults faults = faults(0, 1);
        UniAssertSubscriber<String> hung = faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create());

        faults.change(FaultRates.NONE, "test");

        faults.inject(INSTANCE, GreetingResourceFaultRatesTest::ok).subscribe()
                .withSubscriber(UniAssertSubscriber.create()).assertItem("ok");
        hung.assertNotTerminated();
        assertThat(faults.hungRequests()).isEqualTo(1);
    }
}
