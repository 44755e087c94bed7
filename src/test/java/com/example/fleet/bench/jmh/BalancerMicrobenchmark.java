package com.example.fleet.bench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link BalancerSelectionBenchmark} with JMH and prints one table: per balancer and fleet size, the time and
 * the bytes allocated per selection and per whole call. Part of {@code ./mvnw verify -Pbenchmark}; alone with
 * {@code ./mvnw verify -Pbenchmark -Dit.test=BalancerMicrobenchmark}. The name matches none of the test patterns
 * of the normal build, which therefore never runs it.
 * <p>
 * Short settings keep the run under three minutes: one fork per benchmark, 2 × 1 s of warm-up and 3 × 1 s of
 * measurement. The error is JMH's 99.9% confidence half-interval over the measured iterations; bytes per
 * operation come from the GC profiler ({@code gc.alloc.rate.norm}). Like {@code FleetBenchmark} it asserts
 * nothing: it fails only when a benchmark fails.
 * <p>
 * Each benchmark runs in a JVM that JMH forks with the {@code java.class.path} of this one. Failsafe sets that
 * property to the whole test classpath even though it starts this JVM from a manifest-only jar, so the forks find
 * the benchmarks and their dependencies without further configuration.
 */
class BalancerMicrobenchmark {

    private static final List<String> BALANCERS = List.of(BalancerSelectionBenchmark.PEAK_EWMA,
            BalancerSelectionBenchmark.ROUND_ROBIN, BalancerSelectionBenchmark.LEAST_RESPONSE_TIME,
            BalancerSelectionBenchmark.POWER_OF_TWO_CHOICES);

    /** One benchmark's numbers. */
    private record Measured(double nanos, double error, double bytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%8.1f ± %6.1f %7.0f", nanos, error, bytes);
        }
    }

    @Test
    void compareBalancers() throws RunnerException {
        Options options = new OptionsBuilder()
                .include(BalancerSelectionBenchmark.class.getName())
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();

        print(new Runner(options).run());
    }

    private static void print(Collection<RunResult> results) {
        // balancer → size → benchmark method → numbers
        Map<String, Map<Integer, Map<String, Measured>>> table = new TreeMap<>(
                Comparator.comparingInt(BALANCERS::indexOf));
        for (RunResult result : results) {
            String balancer = result.getParams().getParam("balancer");
            int size = Integer.parseInt(result.getParams().getParam("instances"));
            String benchmark = result.getParams().getBenchmark();
            Result<?> time = result.getPrimaryResult();
            Result<?> bytes = result.getSecondaryResults().get("gc.alloc.rate.norm");
            table.computeIfAbsent(balancer, b -> new TreeMap<>()).computeIfAbsent(size, s -> new TreeMap<>())
                    .put(benchmark.substring(benchmark.lastIndexOf('.') + 1),
                            new Measured(time.getScore(), time.getScoreError(), bytes.getScore()));
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-22s %6s | %-26s | %-26s", "balancer", "size",
                "select: ns/op ± error B/op", "call: ns/op ± error B/op"));
        table.forEach((balancer, sizes) -> sizes.forEach((size, byBenchmark) -> lines.add(String.format(Locale.ROOT,
                "%-22s %6d | %-26s | %-26s", balancer, size, byBenchmark.get("select"), byBenchmark.get("call")))));
        System.out.println(System.lineSeparator() + String.join(System.lineSeparator(), lines));
    }
}
