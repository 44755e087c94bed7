package com.example.fleet.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

import com.example.fleet.consul.BlockingQueryLoop;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.consul.WatchTiming;
import com.example.fleet.discovery.Snapshot;
import com.example.fleet.discovery.SnapshotCost;
import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The scale section of the benchmark, {@code ./mvnw verify -Pbenchmark -Dit.test=ScaleBenchmark}: what a snapshot
 * of 100 and 1,000 instances costs, how fast one change reaches a client watching 1,000 instances, how much a steady
 * fleet under load makes watchers re-read, how soon Consul sees a killed instance and what heartbeats cost the
 * agent. Prints one markdown table and writes it to {@code target/benchmark/scale.md}. It asserts nothing about
 * speed: a section that fails is reported in the table and fails the run after the table is written.
 * <p>
 * Many entries are registered through the agent's HTTP API with no process behind them ({@link FakeInstances});
 * the instances, clients and the agent that matter are real processes. Each section has an agent of its own.
 */
class ScaleBenchmark {

    private static final String SERVICE = "fleet-service";
    private static final String CLIENT_SERVICE = "fleet-client";
    private static final Duration READY = Duration.ofSeconds(90);
    /** Long enough that entries nobody passes stay passing for the whole run. */
    private static final Duration NEVER_EXPIRES = Duration.ofHours(1);

    private static final int PROPAGATION_TRIALS = 20;
    private static final Duration NEVER_SEEN = Duration.ofSeconds(30);
    private static final int FLEET_VIEW_CALLS = 200;

    private static final int REAL_INSTANCES = 4;
    private static final int HEARTBEATING_ENTRIES = 300;
    private static final Duration CHURN_WINDOW = Duration.ofSeconds(60);
    private static final int LOAD_WORKERS = 4;

    private static final int KILLED = 3;
    private static final Duration CPU_WINDOW = Duration.ofSeconds(30);

    static {
        // JOL finds field offsets of records (Snapshot, HealthEntry...) only this way on Java 17: Unsafe refuses them
        System.setProperty("jol.magicFieldOffset", "true");
    }

    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    @Test
    void scale() throws IOException {
        long started = System.nanoTime();
        section("1 snapshot", this::snapshots);
        section("2 propagation", this::propagation);
        section("3 churn", this::churn);
        section("4 death", this::death);
        section("4 agent load", this::agentLoad);
        optionalSection("5 cached", this::cached);
        notes.add(String.format(Locale.ROOT, "Whole run: %.0f s.", (System.nanoTime() - started) / 1e9));
        String table = table();
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "scale.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException(failures.size() + " section(s) failed, see the table");
            failures.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    /**
     * Runs one section, unless {@code -Dscale.sections} lists others (section numbers, comma-separated, e.g.
     * {@code 1,3}).
     */
    private void section(String name, Runnable body) {
        String only = System.getProperty("scale.sections", "").strip();
        if (only.isEmpty() || listed(only, name)) {
            run(name, body);
        }
    }

    /** Runs a section only when {@code -Dscale.sections} lists it. */
    private void optionalSection(String name, Runnable body) {
        if (listed(System.getProperty("scale.sections", ""), name)) {
            run(name, body);
        }
    }

    private static boolean listed(String sections, String name) {
        return List.of(sections.strip().split("\\s*,\\s*")).contains(name.substring(0, name.indexOf(' ')));
    }

    private void run(String name, Runnable body) {
        System.out.println("scale benchmark: " + name);
        try {
            body.run();
        } catch (RuntimeException | AssertionError e) {
            failures.add(e);
            row(name, "FAILED", e.toString().replace('|', '/').replace('\n', ' '), "");
            e.printStackTrace();
        }
    }

    private void row(String section, String measurement, String result, String details) {
        rows.add(new String[] { section, measurement, result, details });
    }

    // ---- 1. snapshot build and swap, read, retained bytes --------------------------------------------------------

    private void snapshots() {
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            Vertx vertx = Vertx.vertx();
            try {
                ConsulClient client = ConsulClient.create(vertx, new ConsulClientOptions().setHost("127.0.0.1")
                        .setPort(agent.httpPort()).setTimeout(30_000));
                try {
                    snapshotAt(100, 300, agent, consul, client);
                    snapshotAt(1000, 100, agent, consul, client);
                } finally {
                    client.close();
                }
            } finally {
                vertx.closeAndAwait();
            }
        }
    }

    private void snapshotAt(int count, int reads, ConsulDevAgent agent, ConsulApi consul, ConsulClient client) {
        String service = "scale-" + count;
        FakeInstances.register(consul, service, FakeInstances.FIRST_PORT, count, NEVER_EXPIRES);
        WatchTiming timing = new WatchTiming(Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(500));
        // index 0: the read returns at once, as the first query of a watch and every re-read after a change do
        Supplier<BlockingQueryLoop.Answer<List<HealthEntry>>> read = () -> ServiceHealth
                .read(client, service, true, 0, timing).await().atMost(Duration.ofSeconds(30));
        await().atMost(READY).until(() -> read.get().value().size() == count);
        long answerBytes = rawGet(agent.address(), "/v1/health/service/" + service + "?passing").length;

        // (a) the full read: HTTP, JSON, Vert.x objects, HealthEntry
        for (int i = 0; i < reads / 5; i++) {
            read.get();
        }
        List<Long> readNanos = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            long start = System.nanoTime();
            read.get();
            readNanos.add(System.nanoTime() - start);
        }

        // (b) applying an answer in which one entry changed: filter, catalog, snapshot, swap
        BlockingQueryLoop.Answer<List<HealthEntry>> before = read.get();
        int changedPort = FakeInstances.FIRST_PORT + count / 2;
        consul.register(FakeInstances.registration(service, changedPort, NEVER_EXPIRES, "changed"));
        await().atMost(READY).until(() -> read.get().value().stream().anyMatch(e -> e.tags().contains("changed")));
        BlockingQueryLoop.Answer<List<HealthEntry>> after = read.get();
        List<BlockingQueryLoop.Answer<List<HealthEntry>>> answers = List.of(before, after);
        SnapshotCost cost = new SnapshotCost();
        int warmup = 2000;
        int measured = 2000;
        for (int i = 0; i < warmup; i++) {
            cost.apply(answers.get(i % 2).value(), answers.get(i % 2).index());
        }
        List<Long> applyNanos = new ArrayList<>();
        int reusedMin = Integer.MAX_VALUE;
        for (int i = 0; i < measured; i++) {
            BlockingQueryLoop.Answer<List<HealthEntry>> answer = answers.get(i % 2);
            long start = System.nanoTime();
            Snapshot previous = cost.apply(answer.value(), answer.index());
            applyNanos.add(System.nanoTime() - start);
            reusedMin = Math.min(reusedMin, SnapshotCost.reused(previous, cost.current()));
        }

        // retained: the snapshot's graph, and what the catalog holds besides (JOL walks the references)
        Snapshot snapshot = cost.current();
        GraphLayout snapshotLayout = GraphLayout.parseInstance(snapshot);
        long snapshotBytes = snapshotLayout.totalSize();
        long withCatalog = GraphLayout.parseInstance(snapshot, cost.catalog()).totalSize();
        // the entries of one answer: garbage once applied, but read and built at every change
        long entriesBytes = GraphLayout.parseInstance(after.value()).totalSize();

        Samples readTimes = Samples.ofNanos(readNanos);
        Samples applies = Samples.ofNanos(applyNanos);
        String at = String.format(Locale.ROOT, "%,d", count);
        row("1 snapshot", "read " + at + " entries (HTTP + parse), p50 / p99",
                readTimes.describe(), String.format(Locale.ROOT, "%s; answer %,d bytes (%,d per entry) with ?passing",
                        readTimes.details(), answerBytes, answerBytes / count));
        row("1 snapshot", "apply an answer with 1 change among " + at + " (filter + catalog + Snapshot + swap), p50 / p99",
                applies.describe(), String.format(Locale.ROOT, "%s after %d warm-up; instances reused: %d of %d",
                        applies.details(), warmup, reusedMin, count));
        String marginal = previousSnapshotBytes == null ? ""
                : String.format(Locale.ROOT, "; marginal against %,d instances: %,d B per instance",
                        previousSnapshotBytes[0], (snapshotBytes - previousSnapshotBytes[1]) / (count - previousSnapshotBytes[0]));
        previousSnapshotBytes = new long[] { count, snapshotBytes };
        row("1 snapshot", "retained bytes per instance at " + at + ": snapshot / snapshot + catalog",
                String.format(Locale.ROOT, "%,d / %,d B", snapshotBytes / count, withCatalog / count),
                String.format(Locale.ROOT, "snapshot graph %,d B, with catalog %,d B (JOL)%s; per instance by class: %s;"
                        + " the parsed answer it was built from: %,d B (%,d per entry, transient)", snapshotBytes,
                        withCatalog, marginal, largestClasses(snapshotLayout, count), entriesBytes, entriesBytes / count));
    }

    /** Set by the first size, so the second can report the cost of one more instance. */
    private long[] previousSnapshotBytes;

    /** The classes holding the most bytes of a graph, per instance. */
    private static String largestClasses(GraphLayout layout, int count) {
        var sizes = layout.getClassSizes();
        List<Class<?>> classes = new ArrayList<>(layout.getClasses());
        classes.sort((a, b) -> Long.compare(sizes.count(b), sizes.count(a)));
        StringBuilder largest = new StringBuilder();
        for (Class<?> type : classes.subList(0, Math.min(5, classes.size()))) {
            largest.append(largest.length() == 0 ? "" : ", ").append(type.getSimpleName()).append(' ')
                    .append(sizes.count(type) / count);
        }
        // JOL counts a Class object a field refers to (EnumMap's key type) once, its own size only
        return largest + (layout.getClasses().contains(Class.class)
                ? String.format(Locale.ROOT, " (Class objects: %,d B in all)", sizes.count(Class.class)) : "");
    }

    // ---- 2. propagation with 1,000 instances, fleet view latency --------------------------------------------------

    private void propagation() {
        int count = 1000;
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            FakeInstances.register(consul, SERVICE, FakeInstances.FIRST_PORT, count, NEVER_EXPIRES);
            try (AppInstance client = AppInstance.start("scale-client", agent.address(),
                    "fleet.registration.service-name=" + CLIENT_SERVICE,
                    "quarkus.stork.fleet-service.service-discovery.consul-service=" + SERVICE)) {
                await().atMost(READY).until(() -> client.get("/q/health/ready").statusCode() == 200);
                await().atMost(READY).until(() -> fleetSize(client) == count);
                long viewBytes = client.get("/api/fleet").body().getBytes(StandardCharsets.UTF_8).length;
                long watchBytes = rawGet(agent.address(), "/v1/health/service/" + SERVICE + "?passing").length;

                for (int i = 0; i < FLEET_VIEW_CALLS / 10; i++) {
                    client.get("/api/fleet");
                }
                List<Long> viewNanos = new ArrayList<>();
                for (int i = 0; i < FLEET_VIEW_CALLS; i++) {
                    long start = System.nanoTime();
                    HttpResponse<String> answer = client.get("/api/fleet");
                    viewNanos.add(System.nanoTime() - start);
                    if (answer.statusCode() != 200) {
                        throw new IllegalStateException("/api/fleet answered " + answer.statusCode());
                    }
                }

                List<Double> appear = new ArrayList<>();
                List<Double> disappear = new ArrayList<>();
                int missed = 0;
                int probePort = FakeInstances.FIRST_PORT + count + 100;
                for (int trial = 0; trial < PROPAGATION_TRIALS; trial++) {
                    int port = probePort + trial;
                    String quoted = "\"" + FakeInstances.id(SERVICE, port) + "\"";
                    long start = System.nanoTime();
                    consul.register(FakeInstances.registration(SERVICE, port, NEVER_EXPIRES));
                    Optional<Double> seen = timeUntil(client, body -> body.contains(quoted), start);
                    seen.ifPresent(appear::add);
                    start = System.nanoTime();
                    consul.deregister(FakeInstances.id(SERVICE, port));
                    Optional<Double> gone = timeUntil(client, body -> !body.contains(quoted), start);
                    gone.ifPresent(disappear::add);
                    missed += (seen.isEmpty() ? 1 : 0) + (gone.isEmpty() ? 1 : 0);
                }
                Samples in = Samples.of(appear);
                Samples out = Samples.of(disappear);
                Samples view = Samples.ofNanos(viewNanos);
                row("2 propagation", "1 entry registered among 1,000: seen in the client's /api/fleet, p50 / p99",
                        in.describe(), in.details() + (missed > 0 ? "; missed (>30 s): " + missed : ""));
                row("2 propagation", "1 entry deregistered among 1,000: gone from the client's /api/fleet, p50 / p99",
                        out.describe(), out.details());
                row("2 propagation", "/api/fleet latency at 1,000 instances, p50 / p99", view.describe(),
                        String.format(Locale.ROOT, "%s, sequential calls; answer %,d bytes", view.details(), viewBytes));
                row("2 propagation", "client's watch: bytes re-read per change at 1,000 instances",
                        String.format(Locale.ROOT, "%,d B", watchBytes),
                        "the whole /v1/health/service answer (?passing), once per index change");
            }
        }
    }

    /** Milliseconds from {@code startNanos} until the client's /api/fleet answer satisfies {@code condition}. */
    private static Optional<Double> timeUntil(AppInstance client, Predicate<String> condition, long startNanos) {
        long deadline = startNanos + NEVER_SEEN.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = client.get("/api/fleet");
            if (answer.statusCode() == 200 && condition.test(answer.body())) {
                return Optional.of((System.nanoTime() - startNanos) / 1e6);
            }
        }
        return Optional.empty();
    }

    private static int fleetSize(AppInstance client) {
        HttpResponse<String> answer = client.get("/api/fleet");
        return answer.statusCode() == 200 ? new JsonObject(answer.body()).getJsonArray("instances").size() : -1;
    }

    // ---- 3. catalog churn of a steady fleet under load ------------------------------------------------------------

    private void churn() {
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            String address = agent.address();
            List<String> checks = FakeInstances.register(consul, SERVICE, FakeInstances.FIRST_PORT, HEARTBEATING_ENTRIES,
                    Duration.ofSeconds(30)).stream().map(FakeInstances::checkId).toList();
            try (FakeHeartbeats beats = FakeHeartbeats.start(address, checks, Duration.ofSeconds(10),
                    FakeHeartbeats.Note.NONE);
                    AppInstance first = AppInstance.start("scale-real-1", address);
                    AppInstance second = AppInstance.start("scale-real-2", address);
                    AppInstance third = AppInstance.start("scale-real-3", address);
                    AppInstance fourth = AppInstance.start("scale-real-4", address);
                    // the client calls the real instances only: fake entries have no process behind them
                    AppInstance client = AppInstance.start("scale-churn-client", address,
                            "fleet.registration.service-name=" + CLIENT_SERVICE,
                            "quarkus.stork.fleet-service.service-discovery.consul-service=" + SERVICE,
                            "quarkus.stork.fleet-service.service-discovery.tags=env=prod")) {
                List<AppInstance> reals = List.of(first, second, third, fourth);
                for (AppInstance app : List.of(first, second, third, fourth, client)) {
                    await().atMost(READY).until(() -> app.get("/q/health/ready").statusCode() == 200);
                }
                await().atMost(READY).until(() -> fleetSize(client) == REAL_INSTANCES);
                await().atMost(READY).until(() -> consul.health(SERVICE).size() == REAL_INSTANCES + HEARTBEATING_ENTRIES);
                URI call = URI.create("http://127.0.0.1:" + client.port() + "/api/fleet/call");
                try (HealthWatcher watcher = HealthWatcher.start(address, SERVICE, "");
                        LoadDriver load = LoadDriver.start(call, LOAD_WORKERS)) {
                    WallClock.pause(Duration.ofSeconds(5));
                    Map<String, String> outputsBefore = outputs(consul, reals);
                    long calls = load.successes();
                    int failed = load.failures().size();
                    long loadStart = System.nanoTime();

                    HealthWatcher.Counts start = watcher.counts();
                    long passes = beats.passes();
                    WallClock.pause(CHURN_WINDOW);
                    HealthWatcher.Rates quiet = watcher.counts().since(start);
                    long quietPasses = beats.passes() - passes;
                    Map<String, String> outputsAfter = outputs(consul, reals);

                    beats.note(FakeHeartbeats.Note.CHANGING);
                    WallClock.pause(Duration.ofSeconds(2));
                    start = watcher.counts();
                    passes = beats.passes();
                    WallClock.pause(CHURN_WINDOW);
                    HealthWatcher.Rates noisy = watcher.counts().since(start);
                    long noisyPasses = beats.passes() - passes;

                    double callsPerSecond = (load.successes() - calls) / ((System.nanoTime() - loadStart) / 1e9);
                    int callFailures = load.failures().size() - failed;
                    load.stop();

                    String reality = realNotes(outputsBefore, outputsAfter);
                    String context = String.format(Locale.ROOT, "%d real instances (%s) + %d fake entries passed every"
                            + " 10 s (TTL 30 s); load %.0f calls/s through a client, %d failed; watcher problem: %s",
                            REAL_INSTANCES, reality, HEARTBEATING_ENTRIES, callsPerSecond, callFailures,
                            Optional.ofNullable(watcher.lastProblem()).orElse("none"));
                    row("3 churn", "fake entries pass with a changing note (old heartbeat): index changes / min"
                            + " a watcher sees (and the index's advance), bytes it re-reads / min", churnResult(noisy),
                            churnDetails(noisy, noisyPasses));
                    row("3 churn", "fake entries pass with no note (new heartbeat): index changes / min a watcher"
                            + " sees (and the index's advance), bytes it re-reads / min", churnResult(quiet),
                            churnDetails(quiet, quietPasses));
                    notes.add("3 churn: " + context + ". One raw blocking-query watcher on /v1/health/service/"
                            + SERVICE + " (no ?passing), 60 s per row, agent with check_update_interval=0s; the"
                            + " no-note row ran first. A watcher that re-reads a whole answer per change falls behind"
                            + " when changes come faster than it reads: it then sees fewer changes than the index"
                            + " made. One of the application processes also leads the scaling and reads the service's health.");
                }
            }
        }
    }

    private static String churnResult(HealthWatcher.Rates rates) {
        return String.format(Locale.ROOT, "%.0f / min seen (index +%.0f / min), %s / min", rates.changesPerMinute(),
                rates.indexAdvance() / (rates.seconds() / 60), bytes(rates.bytesPerMinute()));
    }

    private static String churnDetails(HealthWatcher.Rates rates, long fakePasses) {
        return String.format(Locale.ROOT, "%.0f returns/min, %,d B per answer, index advanced %,d in %.0f s;"
                + " %,d fake passes sent", rates.returnsPerMinute(), rates.bytesPerAnswer(), rates.indexAdvance(),
                rates.seconds(), fakePasses);
    }

    /** Output of each real instance's TTL check, by instance ID. */
    private static Map<String, String> outputs(ConsulApi consul, List<AppInstance> reals) {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (AppInstance real : reals) {
            outputs.put(real.instanceId(), consul.checkOutput(HealthEntry.heartbeatCheckId(real.instanceId())).orElse(""));
        }
        return outputs;
    }

    /** What the jar under test sends with its heartbeats, seen in two reads of the check outputs 60 s apart. */
    private static String realNotes(Map<String, String> before, Map<String, String> after) {
        long changed = before.keySet().stream().filter(id -> !before.get(id).equals(after.get(id))).count();
        boolean empty = before.values().stream().allMatch(String::isEmpty) && after.values().stream().allMatch(String::isEmpty);
        String what = empty ? "no note" : changed > 0 ? "changing notes" : "a constant note";
        return "the jar under test heartbeats with " + what + ": output changed on " + changed + " of " + before.size()
                + " between two reads 60 s apart";
    }

    // ---- 4. death: kill -9 until critical; agent CPU of heartbeats ----------------------------------------------

    private void death() {
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            String address = agent.address();
            // the application's default TTL: fleet.registration.ttl is not set
            try (AppInstance first = AppInstance.start("scale-death-1", address);
                    AppInstance second = AppInstance.start("scale-death-2", address);
                    AppInstance third = AppInstance.start("scale-death-3", address)) {
                List<AppInstance> victims = List.of(first, second, third);
                for (AppInstance victim : victims) {
                    String check = HealthEntry.heartbeatCheckId(victim.instanceId());
                    await().atMost(READY).until(() -> consul.checkStatus(check).filter("passing"::equals).isPresent());
                }
                // a few heartbeats in, so the kills fall at random points of the heartbeat cycles
                WallClock.pause(Duration.ofSeconds(3));
                long[] killedAt = new long[KILLED];
                double[] criticalAfter = new double[KILLED];
                for (int i = 0; i < KILLED; i++) {
                    killedAt[i] = System.nanoTime();
                    victims.get(i).kill();
                    criticalAfter[i] = Double.NaN;
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                int pending = KILLED;
                while (pending > 0 && System.nanoTime() < deadline) {
                    JsonObject checks = consul.agentChecks();
                    long now = System.nanoTime();
                    for (int i = 0; i < KILLED; i++) {
                        JsonObject check = checks.getJsonObject(HealthEntry.heartbeatCheckId(victims.get(i).instanceId()));
                        if (Double.isNaN(criticalAfter[i]) && check != null && "critical".equals(check.getString("Status"))) {
                            criticalAfter[i] = (now - killedAt[i]) / 1e9;
                            pending--;
                        }
                    }
                    WallClock.pause(Duration.ofMillis(100));
                }
                List<Double> seen = new ArrayList<>();
                StringBuilder each = new StringBuilder();
                for (double seconds : criticalAfter) {
                    each.append(each.length() == 0 ? "" : ", ")
                            .append(Double.isNaN(seconds) ? ">90" : String.format(Locale.ROOT, "%.1f", seconds));
                    if (!Double.isNaN(seconds)) {
                        seen.add(seconds);
                    }
                }
                row("4 death", "kill -9 of a real instance until its TTL check is critical (default TTL), median",
                        String.format(Locale.ROOT, "%.1f s", Samples.of(seen).median()),
                        "each: " + each + " s; " + KILLED + " instances killed together, /v1/agent/checks polled"
                                + " every 100 ms; fleet.registration.ttl not set (the jar's default)");
            }
        }
    }

    private void agentLoad() {
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            long pid = agent.processHandle().orElseThrow().pid();
            WallClock.pause(Duration.ofSeconds(3));
            double idle = cpuPerMinute(pid, Duration.ofSeconds(15));

            List<String> checks = FakeInstances.register(consul, SERVICE, FakeInstances.FIRST_PORT, HEARTBEATING_ENTRIES,
                    Duration.ofSeconds(30)).stream().map(FakeInstances::checkId).toList();
            AgentLoad old = agentLoad(agent.address(), pid, checks, Duration.ofSeconds(10), Duration.ofSeconds(10));
            // the same entries again with the new TTL: a registration with an existing ID replaces it
            FakeInstances.register(consul, SERVICE, FakeInstances.FIRST_PORT, HEARTBEATING_ENTRIES, Duration.ofSeconds(10));
            AgentLoad fresh = agentLoad(agent.address(), pid, checks, Duration.ofMillis(3333), Duration.ofSeconds(5));
            long critical = consul.agentChecks().stream().filter(c -> "critical".equals(
                    ((JsonObject) c.getValue()).getString("Status"))).count();
            row("4 agent load", "consul CPU s / min, 300 entries passing with no note: every 10 s (TTL 30 s) ->"
                    + " every 3.3 s (TTL 10 s)", String.format(Locale.ROOT, "%.2f -> %.2f", old.cpu(), fresh.cpu()),
                    String.format(Locale.ROOT, "idle agent (no entries) %.2f; %.1f -> %.1f passes/s; pass failures"
                            + " %d / %d; critical checks at the end: %d; %.0f s windows, CLK_TCK %d", idle,
                            old.passes() / (double) CPU_WINDOW.toSeconds(), fresh.passes() / (double) CPU_WINDOW.toSeconds(),
                            old.failures(), fresh.failures(), critical, (double) CPU_WINDOW.toSeconds(),
                            ProcessCpu.ticksPerSecond()));
            notes.add("4 agent load: the dev agent is server and client agent in one process, so its CPU is the"
                    + " agents' and the servers' load together; in a cluster the TTL bookkeeping stays on the client"
                    + " agents and only status or output changes reach the servers.");
        }
    }

    /** Consul CPU seconds per minute while the checks are passed every {@code interval}, and how the passes went. */
    private record AgentLoad(double cpu, long passes, long failures) {
    }

    private AgentLoad agentLoad(String agentAddress, long pid, List<String> checks, Duration interval, Duration settle) {
        try (FakeHeartbeats beats = FakeHeartbeats.start(agentAddress, checks, interval, FakeHeartbeats.Note.NONE)) {
            WallClock.pause(settle);
            long passes = beats.passes();
            double cpu = cpuPerMinute(pid, CPU_WINDOW);
            return new AgentLoad(cpu, beats.passes() - passes, beats.failures());
        }
    }

    // ---- 5. optional: does ?cached help many watchers of a large service? ----------------------------------------

    private static final int WATCHERS = 50;
    private static final int CACHED_CHANGES = 4;

    private void cached() {
        int count = 1000;
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            long pid = agent.processHandle().orElseThrow().pid();
            FakeInstances.register(consul, SERVICE, FakeInstances.FIRST_PORT, count, NEVER_EXPIRES);
            await().atMost(READY).until(() -> consul.health(SERVICE).size() == count);
            int probePort = FakeInstances.FIRST_PORT + count + 200;
            for (String query : List.of("", "&cached")) {
                List<HealthWatcher> watchers = new ArrayList<>();
                try {
                    for (int i = 0; i < WATCHERS; i++) {
                        watchers.add(HealthWatcher.start(agent.address(), SERVICE, query));
                    }
                    await().atMost(READY).until(() -> watchers.stream().allMatch(w -> w.index() > 0));
                    WallClock.pause(Duration.ofSeconds(2));
                    List<Double> allSeen = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int change = 0; change < CACHED_CHANGES; change++) {
                        int port = probePort + change / 2;
                        boolean add = change % 2 == 0;
                        String id = FakeInstances.id(SERVICE, port);
                        long since = watchers.get(0).index();
                        double cpuBefore = ProcessCpu.seconds(pid);
                        long start = System.nanoTime();
                        if (add) {
                            consul.register(FakeInstances.registration(SERVICE, port, NEVER_EXPIRES));
                        } else {
                            consul.deregister(id);
                        }
                        long target = indexShowing(agent.address(), since, id, add);
                        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                                .until(() -> watchers.stream().allMatch(w -> w.index() >= target));
                        allSeen.add((System.nanoTime() - start) / 1e6);
                        // let the last readers finish their reads before the CPU is read
                        WallClock.pause(Duration.ofSeconds(1));
                        cpu.add(ProcessCpu.seconds(pid) - cpuBefore);
                    }
                    Samples seen = Samples.of(allSeen);
                    Samples seconds = Samples.of(cpu);
                    row("5 cached", String.format(Locale.ROOT, "%d raw watchers of 1,000 entries%s: one change seen by"
                            + " all, p50 / max; consul CPU per change", WATCHERS, query.isEmpty() ? "" : " with ?cached"),
                            String.format(Locale.ROOT, "%s / %s ms; %.2f CPU s", Samples.millis(seen.median()),
                                    Samples.millis(seen.max()), seconds.median()),
                            String.format(Locale.ROOT, "%d changes (register/deregister); CPU from the change until"
                                    + " all saw it + 1 s, median of %s; one more plain reader finds each change's index",
                                    CACHED_CHANGES, cpu.stream()
                                    .map(c -> String.format(Locale.ROOT, "%.2f", c)).toList()));
                } finally {
                    watchers.forEach(HealthWatcher::close);
                }
            }
            notes.add("5 cached: one dev agent is also the server, so ?cached saves in-process RPCs to itself, not"
                    + " network round trips to servers; every watcher still gets the whole answer encoded for it.");
        }
    }

    /**
     * The X-Consul-Index of the first answer that shows the change (the entry there or gone), found with blocking
     * queries from {@code since}: one more reader of each index, like one more watcher.
     */
    private static long indexShowing(String agentAddress, long since, String id, boolean present) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long index = since;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + agentAddress
                        + "/v1/health/service/" + SERVICE + "?wait=30s&index=" + index))
                        .timeout(Duration.ofSeconds(45)).build(), HttpResponse.BodyHandlers.ofString());
                index = answer.headers().firstValueAsLong("X-Consul-Index").orElse(index);
                if (answer.body().contains("\"" + id + "\"") == present) {
                    return index;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Consul's answers did not show the change of " + id);
    }

    /** CPU seconds per minute the process uses over {@code window}. */
    private static double cpuPerMinute(long pid, Duration window) {
        double before = ProcessCpu.seconds(pid);
        long start = System.nanoTime();
        WallClock.pause(window);
        double used = ProcessCpu.seconds(pid) - before;
        return used / ((System.nanoTime() - start) / 60e9);
    }

    // ---- output ----------------------------------------------------------------------------------------------

    private String table() {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Machine: %d cores (nproc), %s, Java %s, Consul 1.8.7 dev agent"
                + " (check_update_interval=0s), all on loopback; jar under test built from %s.%n%n",
                Runtime.getRuntime().availableProcessors(), Machine.cpu(), System.getProperty("java.version"), commit()));
        table.append("| section | measurement | result | details |\n");
        table.append("| --- | --- | --- | --- |\n");
        for (String[] row : rows) {
            table.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        table.append('\n');
        for (String note : notes) {
            table.append("- ").append(note).append('\n');
        }
        return table.toString();
    }

    private static String bytes(double bytes) {
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        if (bytes >= 1e3) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f B", bytes);
    }

    private static byte[] rawGet(String agentAddress, String path) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + agentAddress + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("Consul answered " + answer.statusCode() + " to " + path);
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The commit the working tree is at, "+ changes" when it differs from it. */
    private static String commit() {
        String head = git("rev-parse", "--short", "HEAD");
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head.isEmpty() ? "an unknown commit" : "commit " + head + (status.isEmpty() ? "" : " + uncommitted changes");
    }

    private static String git(String... arguments) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        try {
            Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!git.waitFor(10, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return "";
            }
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
