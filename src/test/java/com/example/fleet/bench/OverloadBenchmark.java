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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/**
 * Overload and gray failure, measured from outside: three real instances on a Consul dev agent, one of them (or all)
 * failing on purpose through the sample's failure injection while passing in Consul, and one client instance per
 * balancer, each loaded in turn by {@value #WORKERS} threads of this JVM. Prints one table; asserts nothing.
 * Run with {@code ./mvnw verify -Pbenchmark -Dit.test=OverloadBenchmark}.
 */
class OverloadBenchmark {

    private static final int WORKERS = 8;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(15);
    private static final int GRAY_BASELINE_SECONDS = 20;
    private static final int GRAY_MEASURE_SECONDS = 40;
    private static final int GRAY_SETTLE_SECONDS = 5;
    private static final Pattern COUNTER = Pattern.compile("^(fleet_calls_total|fleet_calls_retries_total)\\{[^}]*\\}"
            + " ([0-9.eE+]+)$", Pattern.MULTILINE);

    /** What the three instances do wrong, as system properties of each. */
    private record Scenario(String name, List<List<String>> instanceProperties) {
    }

    private record Balancer(String name, String type) {
    }

    private record Result(String scenario, String balancer, long calls, long failed, double throughput,
            double p99Millis, double attemptsPerCall) {
    }

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("healthy fleet", List.of(List.of(), List.of(), List.of())),
            new Scenario("one of three answers 503", List.of(List.of("fleet.sample.failure-rate=1"), List.of(),
                    List.of())),
            new Scenario("one of three hangs", List.of(List.of("fleet.sample.hang-rate=1"), List.of(), List.of())),
            new Scenario("every instance answers 503", List.of(List.of("fleet.sample.failure-rate=1"),
                    List.of("fleet.sample.failure-rate=1"), List.of("fleet.sample.failure-rate=1"))));

    private static final List<Balancer> BALANCERS = List.of(new Balancer("peak-ewma (ours)", "peak-ewma"),
            new Balancer("least-response-time", "least-response-time"), new Balancer("round-robin", "round-robin"));

    @Test
    void measureFailureShapes() throws IOException {
        List<Result> results = new ArrayList<>();
        for (Scenario scenario : SCENARIOS) {
            System.out.println("overload benchmark: " + scenario.name());
            try (ConsulDevAgent agent = ConsulDevAgent.start()) {
                results.addAll(measure(scenario, agent.address()));
            }
        }
        String table = table(results);
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "overload.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    private static List<Result> measure(Scenario scenario, String consul) {
        List<AppInstance> started = new ArrayList<>();
        try {
            for (int i = 0; i < scenario.instanceProperties().size(); i++) {
                List<String> properties = new ArrayList<>(scenario.instanceProperties().get(i));
                properties.add("fleet.registration.ttl=3s");
                started.add(AppInstance.start("overload-" + i, consul, properties.toArray(String[]::new)));
            }
            List<AppInstance> clients = new ArrayList<>();
            for (Balancer balancer : BALANCERS) {
                AppInstance client = AppInstance.start("overload-client-" + balancer.type(), consul,
                        "fleet.registration.service-name=fleet-client",
                        "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service",
                        "quarkus.stork.fleet-service.load-balancer.type=" + balancer.type());
                started.add(client);
                clients.add(client);
            }
            for (AppInstance app : started) {
                await().atMost(Duration.ofSeconds(90)).until(() -> app.get("/q/health/ready").statusCode() == 200);
            }
            for (AppInstance client : clients) {
                await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(client.get("/api/fleet").body())
                        .getJsonArray("instances").size() == 3);
            }
            // every JVM compiled before anything is measured: the first client measured would pay for it otherwise
            for (AppInstance client : clients) {
                try (LoadDriver warm = LoadDriver.start(callOf(client), WORKERS)) {
                    WallClock.pause(WARM_UP);
                }
            }
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < BALANCERS.size(); i++) {
                results.add(load(scenario, BALANCERS.get(i), clients.get(i)));
            }
            return results;
        } finally {
            started.forEach(AppInstance::close);
        }
    }

    private static Result load(Scenario scenario, Balancer balancer, AppInstance client) {
        try (LoadDriver load = LoadDriver.start(callOf(client), WORKERS)) {
            WallClock.pause(WARM_UP);
            long successesBefore = load.successes();
            int failuresBefore = load.failures().size();
            int latenciesFrom = load.latencies(0).size();
            double[] countersBefore = counters(client);
            long start = System.nanoTime();
            WallClock.pause(MEASURE);
            double seconds = (System.nanoTime() - start) / 1e9;
            long successes = load.successes() - successesBefore;
            long failed = load.failures().size() - failuresBefore;
            double[] countersAfter = counters(client);
            load.stop();
            double calls = countersAfter[0] - countersBefore[0];
            double retries = countersAfter[1] - countersBefore[1];
            return new Result(scenario.name(), balancer.name(), successes + failed, failed, successes / seconds,
                    Samples.ofNanos(load.latencies(latenciesFrom)).p99(), calls == 0 ? Double.NaN : 1 + retries / calls);
        }
    }

    /** One client's run next to the gray failure: before the hung instance joined and after. */
    private record GrayResult(String variant, double baselineThroughput, long calls, long failed, double throughput,
            double hungTriesPerSecond, double p50Millis, double p99Millis, double hedgesSent, double hedgesWon) {

        GrayResult against(double baseline) {
            return new GrayResult(variant, baseline, calls, failed, throughput, hungTriesPerSecond, p50Millis,
                    p99Millis, hedgesSent, hedgesWon);
        }
    }

    /**
     * The combined case: two healthy instances and one answering 503 to every call, then one that accepts calls
     * and never answers joins, all passing in Consul; 8 callers through one client with backup tries and one
     * without, in turn. Each client is measured for {@value #GRAY_BASELINE_SECONDS} s before a hung instance joins
     * and {@value #GRAY_MEASURE_SECONDS} s after, with the tries reaching the hung instance counted by its own meter
     * after the first {@value #GRAY_SETTLE_SECONDS} s; the hung instance then leaves and the client is measured
     * again without it.
     */
    @Test
    void measureAHungInstanceNextToAFailingOne() throws IOException {
        List<AppInstance> started = new ArrayList<>();
        List<GrayResult> results = new ArrayList<>();
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            String consul = agent.address();
            started.add(AppInstance.start("gray-healthy-1", consul, "fleet.registration.ttl=3s"));
            started.add(AppInstance.start("gray-healthy-2", consul, "fleet.registration.ttl=3s"));
            started.add(AppInstance.start("gray-503", consul, "fleet.registration.ttl=3s",
                    "fleet.sample.failure-rate=1"));
            List<GrayClient> variants = List.of(grayClient(consul, "with backup tries", true),
                    grayClient(consul, "without backup tries", false));
            List<AppInstance> clients = variants.stream().map(GrayClient::app).toList();
            started.addAll(clients);
            awaitReady(started, clients, 3);
            // each variant in turn, its baseline just before a hung instance of its own joins: runs on this shared
            // machine vary by a quarter, the two parts of one run much less
            for (GrayClient variant : variants) {
                try (LoadDriver warm = LoadDriver.start(callOf(variant.app()), WORKERS)) {
                    WallClock.pause(WARM_UP);
                }
                double before = baseline(variant);
                GrayResult run;
                try (AppInstance hung = AppInstance.start("gray-hung", consul, "fleet.registration.ttl=3s",
                        "fleet.sample.hang-rate=1")) {
                    awaitReady(List.of(hung), clients, 4);
                    run = grayRun(variant, hung);
                }
                awaitReady(List.of(), clients, 3);
                // the mean of a baseline before and one after: what drifts meanwhile (compilation) drifts in both
                results.add(run.against((before + baseline(variant)) / 2));
            }
        } finally {
            started.forEach(AppInstance::close);
        }
        String table = grayTable(results);
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "gray-failure.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    /** The loss of a whole datacenter under load, and its return (see {@link DatacenterLoss}). */
    @Test
    void measureTheLossOfADatacenter() throws IOException {
        String table = DatacenterLoss.measure();
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "datacenter-loss.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    private record GrayClient(String variant, AppInstance app) {
    }

    private static GrayClient grayClient(String consul, String variant, boolean hedging) {
        return new GrayClient(variant, AppInstance.start("gray-client-" + (hedging ? "hedging" : "plain"), consul,
                "fleet.registration.service-name=fleet-client",
                "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service",
                "fleet.calls.hedge.enabled=" + hedging));
    }

    private static void awaitReady(List<AppInstance> apps, List<AppInstance> clients, int instances) {
        for (AppInstance app : apps) {
            await().atMost(Duration.ofSeconds(90)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        }
        for (AppInstance client : clients) {
            await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(client.get("/api/fleet").body())
                    .getJsonArray("instances").size() == instances);
        }
    }

    /** Calls a second through the client, without the hung instance. */
    private static double baseline(GrayClient variant) {
        try (LoadDriver load = LoadDriver.start(callOf(variant.app()), WORKERS)) {
            long before = load.successes();
            WallClock.pause(Duration.ofSeconds(GRAY_BASELINE_SECONDS));
            return (load.successes() - before) / (double) GRAY_BASELINE_SECONDS;
        }
    }

    private static GrayResult grayRun(GrayClient variant, AppInstance hung) {
        AppInstance client = variant.app();
        double hedgesBefore = metric(client, "fleet_calls_hedges_total");
        double wonBefore = metric(client, "fleet_calls_hedges_won_total");
        double timedOutBefore = metric(client, "fleet_calls_tries_timed_out_total");
        try (LoadDriver load = LoadDriver.start(callOf(client), WORKERS)) {
            WallClock.pause(Duration.ofSeconds(GRAY_SETTLE_SECONDS));
            double hungBefore = metric(hung, "fleet_sample_injected_hangs_total");
            System.out.printf(Locale.ROOT, "overload benchmark: %s: %.0f tries reached the hung instance in the first"
                    + " %d s%n", variant.variant(), hungBefore, GRAY_SETTLE_SECONDS);
            WallClock.pause(Duration.ofSeconds(GRAY_MEASURE_SECONDS - GRAY_SETTLE_SECONDS));
            double hungAfter = metric(hung, "fleet_sample_injected_hangs_total");
            load.stop();
            System.out.printf(Locale.ROOT, "overload benchmark: %s: %.0f tries timed out; failures: %s%n",
                    variant.variant(), metric(client, "fleet_calls_tries_timed_out_total") - timedOutBefore,
                    load.failures().stream().limit(5).toList());
            Samples latencies = Samples.ofNanos(load.latencies(0));
            long failed = load.failures().size();
            return new GrayResult(variant.variant(), Double.NaN, load.successes() + failed, failed,
                    load.successes() / (double) GRAY_MEASURE_SECONDS,
                    (hungAfter - hungBefore) / (GRAY_MEASURE_SECONDS - GRAY_SETTLE_SECONDS), latencies.median(),
                    latencies.p99(), metric(client, "fleet_calls_hedges_total") - hedgesBefore,
                    metric(client, "fleet_calls_hedges_won_total") - wonBefore);
        }
    }

    private static double metric(AppInstance app, String name) {
        return app.get("/q/metrics").body().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String grayTable(List<GrayResult> results) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Machine: %d cores, %s, Java %s, Consul 1.8.7 dev agent, all on"
                + " loopback; 2 healthy instances + 1 answering 503, then 1 that never answers joins; %d callers in the"
                + " benchmark JVM through one client per variant (peak-ewma), %d s measured after the hung instance"
                + " joined, against the mean of %d s before it joined and as long after it left.%n%n", Runtime.getRuntime().availableProcessors(), Machine.cpu(),
                System.getProperty("java.version"), WORKERS, GRAY_MEASURE_SECONDS, GRAY_BASELINE_SECONDS));
        table.append("| variant | calls | failed | calls/s before → with the hung instance | ratio | tries/s reaching"
                + " the hung instance after the first " + GRAY_SETTLE_SECONDS + " s | p50 / p99 ms | backups sent /"
                + " won |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (GrayResult r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f → %.0f | %.2f | %.2f | %s / %s |"
                    + " %.0f / %.0f |%n", r.variant(), r.calls(), r.failed(), r.baselineThroughput(), r.throughput(),
                    r.throughput() / r.baselineThroughput(), r.hungTriesPerSecond(), Samples.millis(r.p50Millis()),
                    Samples.millis(r.p99Millis()), r.hedgesSent(), r.hedgesWon()));
        }
        return table.toString();
    }

    private static URI callOf(AppInstance client) {
        return URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call");
    }

    /** The client's fleet_calls_total and fleet_calls_retries_total, from its Prometheus endpoint. */
    private static double[] counters(AppInstance client) {
        double[] values = new double[2];
        Matcher found = COUNTER.matcher(client.get("/q/metrics").body());
        while (found.find()) {
            values[found.group(1).equals("fleet_calls_total") ? 0 : 1] = Double.parseDouble(found.group(2));
        }
        return values;
    }

    private static String table(List<Result> results) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Machine: %d cores, %s, Java %s, Consul 1.8.7 dev agent, all on"
                + " loopback; three instances, load from %d threads in the benchmark JVM, %d s measured after %d s.%n%n",
                Runtime.getRuntime().availableProcessors(), Machine.cpu(), System.getProperty("java.version"),
                WORKERS, MEASURE.toSeconds(), WARM_UP.toSeconds()));
        table.append("| scenario | balancer | calls | failed | calls/s | p99 ms (answered) | attempts per call |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.0f | %s | %.2f |%n", r.scenario(),
                    r.balancer(), r.calls(), r.failed(), r.throughput(), Samples.millis(r.p99Millis()),
                    r.attemptsPerCall()));
        }
        return table.toString();
    }
}
