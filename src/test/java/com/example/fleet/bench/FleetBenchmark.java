package com.example.fleet.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Measures discovery and balancing, ours against stock Stork, in one run: {@code ./mvnw verify -Pbenchmark}.
 * For each variant it starts a Consul agent, three instances (one 50 ms slower), a client instance using the
 * variant and a client with a fixed URL, drives load from this JVM and prints one table. It asserts nothing:
 * numbers are reported, not tested.
 */
class FleetBenchmark {

    private static final int TRIALS = 20;
    private static final int WORKERS = 8;
    private static final Duration MEASURE = Duration.ofSeconds(10);
    private static final Duration NEVER_SEEN = Duration.ofSeconds(30);

    /** One discovery + balancer combination, as system properties of the client instance. */
    record Variant(String name, List<String> properties) {
    }

    /** One variant's numbers. */
    record Result(String variant, Percentiles scaleOut, Percentiles scaleIn, int failedGraceful, int failedKill,
            double slowShare, double p99Millis, double throughput, double fixedThroughput) {
    }

    record Percentiles(double p50, double p99, int missed) {
        static Percentiles of(List<Double> millis, int missed) {
            List<Double> sorted = millis.stream().sorted().toList();
            return new Percentiles(at(sorted, 0.50), at(sorted, 0.99), missed);
        }

        static double at(List<Double> sorted, double quantile) {
            return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.ceil(quantile * sorted.size()) - 1);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f / %.0f", p50, p99) + (missed > 0 ? " (" + missed + " >30s)" : "");
        }
    }

    private static List<Variant> variants(int consulPort) {
        String sd = "quarkus.stork.fleet-service.service-discovery.";
        String lb = "quarkus.stork.fleet-service.load-balancer.type=";
        List<String> stock = List.of(sd + "type=consul", sd + "consul-host=127.0.0.1", sd + "consul-port=" + consulPort,
                sd + "refresh-period=1s");
        return List.of(
                new Variant("consul-watch + peak-ewma (ours)", List.of(lb + "peak-ewma")),
                new Variant("consul-watch + least-response-time", List.of(lb + "least-response-time")),
                new Variant("consul-watch + round-robin", List.of(lb + "round-robin")),
                new Variant("stock consul (refresh 1s) + least-response-time",
                        concat(stock, lb + "least-response-time")),
                new Variant("stock consul (refresh 1s) + round-robin", concat(stock, lb + "round-robin")));
    }

    @Test
    void compareDiscoveriesAndBalancers() throws IOException {
        List<Result> results = new ArrayList<>();
        // the stock variants need the agent's port, so the list is built anew for each agent
        int count = variants(0).size();
        for (int i = 0; i < count; i++) {
            try (ConsulDevAgent agent = ConsulDevAgent.start()) {
                Variant variant = variants(agent.httpPort()).get(i);
                System.out.println("benchmark: " + variant.name());
                results.add(measure(variant, agent));
            }
        }
        String table = table(results);
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "results.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    private static Result measure(Variant variant, ConsulDevAgent agent) {
        ConsulApi consul = new ConsulApi(agent.address());
        String address = agent.address();
        try (AppInstance first = AppInstance.start("bench-first", address, "fleet.registration.ttl=3s");
                AppInstance second = AppInstance.start("bench-second", address, "fleet.registration.ttl=3s");
                AppInstance slow = AppInstance.start("bench-slow", address, "fleet.registration.ttl=3s",
                        "fleet.sample.response-delay=50ms")) {
            List<String> clientProperties = concat(variant.properties(), "fleet.registration.service-name=fleet-client",
                    "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service");
            try (AppInstance client = AppInstance.start("bench-client", address, clientProperties.toArray(String[]::new));
                    AppInstance fixed = AppInstance.start("bench-fixed", address,
                            "fleet.registration.service-name=fleet-client",
                            "quarkus.stork.fleet-service.service-discovery.type=static",
                            "quarkus.stork.fleet-service.service-discovery.address-list=127.0.0.1:" + first.port(),
                            "quarkus.stork.fleet-service.load-balancer.type=round-robin")) {
                for (AppInstance app : List.of(first, second, slow, client, fixed)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> ports(client).size() == 3);

                List<Double> out = new ArrayList<>();
                List<Double> in = new ArrayList<>();
                int missedOut = 0;
                int missedIn = 0;
                for (int trial = 0; trial < TRIALS; trial++) {
                    int port = 20_000 + trial;
                    String id = "probe-" + trial;
                    long start = System.nanoTime();
                    consul.register(new JsonObject().put("ID", id).put("Name", "fleet-service")
                            .put("Address", "127.0.0.1").put("Port", port)
                            .put("Check", new JsonObject().put("CheckID", id + ":ttl").put("TTL", "60s")
                                    .put("Status", "passing")));
                    Optional<Double> seen = timeUntil(client, ports -> ports.contains(port), start);
                    seen.ifPresent(out::add);
                    missedOut += seen.isEmpty() ? 1 : 0;
                    start = System.nanoTime();
                    consul.deregister(id);
                    Optional<Double> gone = timeUntil(client, ports -> !ports.contains(port), start);
                    gone.ifPresent(in::add);
                    missedIn += gone.isEmpty() ? 1 : 0;
                }

                URI call = URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call");
                try (LoadDriver load = LoadDriver.start(call, WORKERS)) {
                    WallClock.pause(Duration.ofSeconds(3));
                    Map<String, Long> before = load.answeredBy();
                    long total = load.successes();
                    int mark = load.latencies(0).size();
                    WallClock.pause(MEASURE);
                    long slowAnswers = load.answeredBy().getOrDefault(slow.instanceId(), 0L)
                            - before.getOrDefault(slow.instanceId(), 0L);
                    double share = (double) slowAnswers / (load.successes() - total);
                    List<Double> latencies = load.latencies(mark).stream().map(n -> n / 1e6).toList();
                    double p99 = Percentiles.of(latencies, 0).p99();

                    int failuresBefore = load.failures().size();
                    slow.stopGracefully();
                    WallClock.pause(Duration.ofSeconds(5));
                    int failedGraceful = load.failures().size() - failuresBefore;

                    failuresBefore = load.failures().size();
                    second.kill();
                    WallClock.pause(Duration.ofSeconds(8));
                    int failedKill = load.failures().size() - failuresBefore;
                    load.stop();

                    double throughput = throughput(call);
                    double fixedThroughput = throughput(
                            URI.create("http://127.0.0.1:" + fixed.port() + "/api/fleet/call"));
                    return new Result(variant.name(), Percentiles.of(out, missedOut), Percentiles.of(in, missedIn),
                            failedGraceful, failedKill, share, p99, throughput, fixedThroughput);
                }
            }
        }
    }

    /** Calls per second through one client instance, only the first instance left behind it. */
    private static double throughput(URI call) {
        try (LoadDriver load = LoadDriver.start(call, 2 * WORKERS)) {
            WallClock.pause(Duration.ofSeconds(2));
            long start = System.nanoTime();
            long before = load.successes();
            WallClock.pause(MEASURE);
            return (load.successes() - before) / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Milliseconds from {@code startNanos} until the client's view satisfies {@code condition}. */
    private static Optional<Double> timeUntil(AppInstance client, Predicate<List<Integer>> condition, long startNanos) {
        long deadline = startNanos + NEVER_SEEN.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(ports(client))) {
                return Optional.of((System.nanoTime() - startNanos) / 1e6);
            }
        }
        return Optional.empty();
    }

    private static List<Integer> ports(AppInstance client) {
        var answer = client.get("/api/fleet");
        if (answer.statusCode() != 200) {
            return List.of();
        }
        JsonArray instances = new JsonObject(answer.body()).getJsonArray("instances");
        return instances.stream().map(member -> ((JsonObject) member).getInteger("port")).toList();
    }

    private static String table(List<Result> results) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Machine: %d cores, %s, Java %s, Consul 1.8.7 dev agent, all on"
                + " loopback; %d propagation trials, load from %d threads in the benchmark JVM.%n%n",
                Runtime.getRuntime().availableProcessors(), Machine.cpu(), System.getProperty("java.version"), TRIALS, WORKERS));
        table.append("| variant | scale-out p50 / p99 ms | scale-in p50 / p99 ms | failed: graceful stop | failed:"
                + " kill -9 | slow share | p99 ms (one slow) | throughput vs fixed URL |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.1f %% | %.0f | %.2f (%.0f / %.0f rps) |%n",
                    r.variant(), r.scaleOut(), r.scaleIn(), r.failedGraceful(), r.failedKill(), 100 * r.slowShare(),
                    r.p99Millis(), r.throughput() / r.fixedThroughput(), r.throughput(), r.fixedThroughput()));
        }
        return table.toString();
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
