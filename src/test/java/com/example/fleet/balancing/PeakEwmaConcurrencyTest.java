package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.InstanceLoad;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

class PeakEwmaConcurrencyTest {

    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 5_000;

    private final ManualClock clock = new ManualClock();
    private final PeakEwmaLoadBalancer balancer = Calls.balancer(Calls.DEFAULTS, clock, Clock.systemUTC(),
            ThreadLocalRandom::current, new SimpleMeterRegistry());
    private final List<ServiceInstance> fleet = List.of(instance(1), instance(2), instance(3), instance(4));
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void concurrentCallsKeepInFlightCountsExact() throws Exception {
        CyclicBarrier allStarted = new CyclicBarrier(THREADS);
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(() -> {
                List<ServiceInstance> started = startCalls(() -> fleet);
                allStarted.await(30, TimeUnit.SECONDS);
                endCalls(started);
                return null;
            });
        }
        List<Future<Void>> done = new ArrayList<>();
        workers.forEach(worker -> done.add(threads.submit(worker)));

        for (Future<Void> worker : done) {
            worker.get(60, TimeUnit.SECONDS);
        }
        assertThat(balancer.estimates()).hasSize(4);
        assertThat(balancer.estimates().values()).allSatisfy(load -> {
            assertThat(load.inFlight()).isZero();
            assertThat(load.estimateMillis()).isBetween(1.0, 2000.0);
        });
    }

    @Test
    void inFlightCountsEveryConcurrentStart() throws Exception {
        List<Future<List<ServiceInstance>>> started = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            started.add(threads.submit(() -> startCalls(() -> fleet)));
        }
        List<ServiceInstance> calls = new ArrayList<>();
        for (Future<List<ServiceInstance>> worker : started) {
            calls.addAll(worker.get(60, TimeUnit.SECONDS));
        }

        assertThat(balancer.estimates().values().stream().mapToInt(InstanceLoad::inFlight).sum())
                .isEqualTo(THREADS * CALLS_PER_THREAD);
        assertThat(calls).hasSize(THREADS * CALLS_PER_THREAD);
    }

    @Test
    void inFlightCountsEveryStartWhileDiscoverySwapsCollections() throws Exception {
        List<ServiceInstance> grown = List.of(instance(1), instance(2), instance(3), instance(4), instance(5));
        AtomicReference<List<ServiceInstance>> snapshot = new AtomicReference<>(fleet);
        AtomicInteger lookups = new AtomicInteger();
        // every 100th lookup publishes a new collection object, listing instance 5 every other time, as
        // consul-watch does on each change; the other threads go on selecting from whichever is current
        Supplier<Collection<ServiceInstance>> swappingDiscovery = () -> {
            int lookup = lookups.incrementAndGet();
            if (lookup % 100 == 0) {
                snapshot.set(new ArrayList<>(lookup % 200 == 0 ? grown : fleet));
            }
            return snapshot.get();
        };
        List<Future<List<ServiceInstance>>> started = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            started.add(threads.submit(() -> startCalls(swappingDiscovery)));
        }
        List<ServiceInstance> calls = new ArrayList<>();
        for (Future<List<ServiceInstance>> worker : started) {
            calls.addAll(worker.get(60, TimeUnit.SECONDS));
        }

        assertThat(balancer.estimates()).containsOnlyKeys(1L, 2L, 3L, 4L, 5L);
        assertThat(balancer.estimates().values().stream().mapToInt(InstanceLoad::inFlight).sum())
                .as("every start counted on the one state of its instance").isEqualTo(calls.size());
        calls.forEach(call -> call.recordEnd(null));
        assertThat(balancer.estimates().values()).allSatisfy(load -> assertThat(load.inFlight()).isZero());
    }

    private List<ServiceInstance> startCalls(Supplier<Collection<ServiceInstance>> discovery) {
        List<ServiceInstance> started = new ArrayList<>(CALLS_PER_THREAD);
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
            clock.advance(Duration.ofNanos(1_000));
            ServiceInstance selected = balancer.selectServiceInstance(discovery.get());
            selected.recordStart(true);
            started.add(selected);
        }
        return started;
    }

    // a mix of successes, failures, refusals and duplicate ends, as many event loops would report them
    private void endCalls(List<ServiceInstance> started) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (ServiceInstance call : started) {
            clock.advance(Duration.ofNanos(1_000));
            Calls.reply(call, Duration.ofMillis(1 + random.nextInt(50)));
            switch (random.nextInt(4)) {
                case 0 -> call.recordEnd(new IOException("Connection reset"));
                case 1 -> call.recordEnd(new ConnectException("Connection refused"));
                case 2 -> {
                    call.recordEnd(null);
                    call.recordEnd(null);
                }
                default -> call.recordEnd(null);
            }
        }
    }
}
