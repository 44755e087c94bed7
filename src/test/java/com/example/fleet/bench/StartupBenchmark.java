package com.example.fleet.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.example.fleet.process.JvmBoundProcess;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.core.json.JsonObject;

/**
 * What this service costs at start next to a plain Quarkus service of the same version (src/test/plain-quarkus:
 * REST with Jackson, SmallRye Health, Micrometer with Prometheus, one resource), measured side by side: both started
 * alternately {@value #DEFAULT_RUNS} times ({@code -Dstartup.runs=N}) with the same JVM flags, this one against a
 * Consul dev agent; both are built here as {@code ./mvnw package} builds them. Start to ready is from the launch of {@code java} until the plain service's
 * {@code /q/health/ready} answers 200 and until this service is registered and passing in Consul; settled RSS and
 * the classes loaded are read {@value #SETTLE_SECONDS} s later. Prints medians and ratios; asserts nothing.
 * Run with {@code ./mvnw verify -Pbenchmark -Dit.test=StartupBenchmark}.
 */
class StartupBenchmark {

    private static final int DEFAULT_RUNS = 5;
    private static final long SETTLE_SECONDS = 2;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Path PLAIN_SOURCES = Path.of("src", "test", "plain-quarkus");
    private static final Path PLAIN_BUILD = Path.of("target", "plain-quarkus");
    private static final Path LOGS = Path.of("target", "benchmark", "startup-logs");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private record Start(double readyMillis, double rssMegabytes, long classes) {
    }

    @Test
    void measureStartAgainstPlainQuarkus() throws Exception {
        int runs = Integer.getInteger("startup.runs", DEFAULT_RUNS);
        Path plainJar = build("plain", PLAIN_SOURCES, PLAIN_BUILD);
        Path thisJar = buildThisService();
        List<Start> plain = new ArrayList<>();
        List<Start> fleet = new ArrayList<>();
        try (ConsulDevAgent agent = ConsulDevAgent.start()) {
            ConsulApi consul = new ConsulApi(agent.address());
            for (int run = 1; run <= runs; run++) {
                plain.add(start("plain-" + run, plainJar, Map.of(),
                        port -> () -> status("http://127.0.0.1:" + port + "/q/health/ready") == 200));
                fleet.add(start("fleet-" + run, thisJar, Map.of("CONSUL_HTTP_ADDR", agent.address()),
                        port -> () -> passingInConsul(consul, port)));
                System.out.printf(Locale.ROOT, "startup benchmark: run %d of %d: plain %s, this service %s%n", run,
                        runs, plain.get(run - 1), fleet.get(run - 1));
            }
        }
        String table = table(plain, fleet, runs);
        System.out.println(table);
        Path out = Path.of("target", "benchmark", "startup.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    /**
     * Packages this service as {@code ./mvnw package} does, from a copy of its sources: the benchmark profile that
     * runs this class adds stock Stork discovery for FleetBenchmark, which the default build does not have.
     */
    private static Path buildThisService() throws IOException, InterruptedException {
        Path copy = Path.of("target", "startup-benchmark-build");
        deleteTree(copy);
        Files.createDirectories(copy);
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src/main")) {
            copyTree(Path.of(part), copy.resolve(part));
        }
        return build("this-service", copy, copy);
    }

    /**
     * Builds the project in {@code sources} (copied to {@code into} first, unless they are the same) with this
     * build's Maven (the wrapper) and Quarkus version, offline when the local repository holds what it needs.
     */
    private static Path build(String name, Path sources, Path into) throws IOException, InterruptedException {
        if (!sources.equals(into)) {
            deleteTree(into);
            copyTree(sources, into);
        }
        String quarkus = System.getProperty("quarkus.platform.version", "3.33.2");
        List<String> command = List.of(Path.of("mvnw").toAbsolutePath().toString(), "-B", "-q", "-f",
                into.resolve("pom.xml").toString(), "package", "-DskipTests",
                "-Dquarkus.platform.version=" + quarkus);
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(name + "-build.log");
        List<String> offline = new ArrayList<>(command);
        offline.add(2, "-o");
        if (run(offline, log) != 0 && run(command, log) != 0) {
            throw new IllegalStateException(name + " did not build; see " + log);
        }
        return into.resolve(Path.of("target", "quarkus-app", "quarkus-run.jar"));
    }

    private static int run(List<String> command, Path log) throws IOException, InterruptedException {
        Process build = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!build.waitFor(10, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new IllegalStateException("the plain Quarkus service's build did not end within 10 minutes");
        }
        return build.exitValue();
    }

    private interface ReadyCheck {
        BooleanSupplier at(int port);
    }

    /** Launches {@code jar} on a free port, waits until it is ready, lets it settle, measures it and stops it. */
    private Start start(String name, Path jar, Map<String, String> environment, ReadyCheck ready) throws Exception {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", jar.toString());
        BooleanSupplier isReady = ready.at(port);
        long launched = System.nanoTime();
        JvmBoundProcess process = JvmBoundProcess.start(command, environment, LOGS.resolve(name + ".log"));
        try {
            long deadline = launched + READY_TIMEOUT.toNanos();
            while (!isReady.getAsBoolean()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not become ready; see " + LOGS.resolve(name + ".log"));
                }
                Thread.sleep(5);
            }
            double readyMillis = (System.nanoTime() - launched) / 1e6;
            Thread.sleep(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));
            long pid = process.handle().pid();
            return new Start(readyMillis, rssMegabytes(pid), loadedClasses(java, pid));
        } finally {
            process.stop(Duration.ofSeconds(30));
        }
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Registered with its port and every check passing, as a watcher of the service sees it. */
    private static boolean passingInConsul(ConsulApi consul, int port) {
        return consul.health("fleet-service").stream().map(JsonObject.class::cast)
                .filter(entry -> entry.getJsonObject("Service").getInteger("Port") == port)
                .anyMatch(entry -> entry.getJsonArray("Checks").stream().map(JsonObject.class::cast)
                        .allMatch(check -> "passing".equals(check.getString("Status"))));
    }

    private static double rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** The JVM's own count of loaded classes (the {@code java.cls.loadedClasses} counter), asked with jcmd. */
    private static long loadedClasses(String java, long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        Process ask = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "PerfCounter.print")
                .redirectErrorStream(true).start();
        String counters = new String(ask.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ask.waitFor(30, TimeUnit.SECONDS);
        return counters.lines().filter(line -> line.startsWith("java.cls.loadedClasses=")).findFirst()
                .map(line -> Long.parseLong(line.substring(line.indexOf('=') + 1).strip())).orElse(-1L);
    }

    private static String table(List<Start> plain, List<Start> fleet, int runs) {
        Samples plainReady = Samples.of(plain.stream().map(Start::readyMillis).toList());
        Samples fleetReady = Samples.of(fleet.stream().map(Start::readyMillis).toList());
        Samples plainRss = Samples.of(plain.stream().map(Start::rssMegabytes).toList());
        Samples fleetRss = Samples.of(fleet.stream().map(Start::rssMegabytes).toList());
        Samples plainClasses = Samples.of(plain.stream().map(start -> (double) start.classes()).toList());
        Samples fleetClasses = Samples.of(fleet.stream().map(start -> (double) start.classes()).toList());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Startup, medians of %d alternating starts each (%s, %d cores, Java %s)"
                + "%n%n", runs, Machine.cpu(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        out.append("| | start → ready | settled RSS | loaded classes |\n| --- | --- | --- | --- |\n");
        out.append(String.format(Locale.ROOT, "| plain Quarkus (`/q/health/ready` 200) | %.2f s | %.0f MB | %.0f |%n",
                plainReady.median() / 1000, plainRss.median(), plainClasses.median()));
        out.append(String.format(Locale.ROOT, "| this service (registered and passing in Consul) | %.2f s | %.0f MB |"
                + " %.0f |%n", fleetReady.median() / 1000, fleetRss.median(), fleetClasses.median()));
        out.append(String.format(Locale.ROOT, "| ratio | %.2fx | %.2fx | %.2fx |%n",
                fleetReady.median() / plainReady.median(), fleetRss.median() / plainRss.median(),
                fleetClasses.median() / plainClasses.median()));
        out.append(String.format(Locale.ROOT, "%nRanges: start → ready %.2f-%.2f s (plain %.2f-%.2f s), settled RSS"
                + " %.0f-%.0f MB (plain %.0f-%.0f MB).%n", fleetReady.sorted().get(0) / 1000, fleetReady.max() / 1000,
                plainReady.sorted().get(0) / 1000, plainReady.max() / 1000, fleetRss.sorted().get(0), fleetRss.max(),
                plainRss.sorted().get(0), plainRss.max()));
        return out.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : tree.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
