package com.example.fleet.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.example.fleet.process.JvmBoundProcess;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) running as a real process on a random
 * loopback port. Closing it stops the process; it also dies with the test JVM.
 */
public final class AppInstance implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Path LOGS = Path.of("target", "it-logs");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    private final JvmBoundProcess process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private int port = -1;

    private AppInstance(JvmBoundProcess process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts an instance with extra environment variables and {@code -D} system properties ("name=value").
     */
    public static AppInstance start(String name, Map<String, String> environment, String... systemProperties) {
        try {
            Files.createDirectories(LOGS);
            int number = SEQUENCE.incrementAndGet();
            Path log = LOGS.resolve(name + "-" + number + ".log");
            // a log left by an earlier run would show that run's port
            Files.deleteIfExists(log);
            // a 1s request timeout allows the short TTLs tests use (3s): a TTL must cover 3 request timeouts; a
            // 200ms shutdown delay, as in the test profile, is ten times what watchers on loopback take to see an
            // instance leave, and spares every stop the production default's 2s (a test that proves the default
            // sets it again); properties given below come later on the command line and win
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx192m", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0", "-Dfleet.consul.request-timeout=1s",
                    "-Dquarkus.shutdown.delay=200ms",
                    // the instances a local actuator starts log next to this one's, never in the system's temp
                    "-Dfleet.scaling.local.logs=" + LOGS.resolve(name + "-" + number + "-children")));
            for (String property : systemProperties) {
                command.add("-D" + property);
            }
            command.addAll(List.of("-jar", JAR.toString()));
            return new AppInstance(JvmBoundProcess.start(command, environment, log), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an instance pointed at {@code consulAddress}. */
    public static AppInstance start(String name, String consulAddress, String... systemProperties) {
        return start(name, Map.of("CONSUL_HTTP_ADDR", consulAddress), systemProperties);
    }

    /** The port the instance listens on, once it does. */
    public synchronized int port() {
        if (port < 0) {
            await().atMost(Duration.ofSeconds(60)).until(() -> LISTENING.matcher(log()).find() || !process.isAlive());
            Matcher found = LISTENING.matcher(log());
            if (!found.find()) {
                throw new IllegalStateException("instance exited before listening; log:\n" + log());
            }
            port = Integer.parseInt(found.group(1));
        }
        return port;
    }

    public String instanceId() {
        return "fleet-service-127.0.0.1-" + port();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET on the instance; the status and body. */
    public HttpResponse<String> get(String path) {
        try {
            return http.send(request(path), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return http.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, as a graceful stop; waits for the process to end. */
    public void stopGracefully() {
        process.stop(Duration.ofSeconds(60));
    }

    /** SIGTERM without waiting. */
    public void signalStop() {
        process.handle().destroy();
    }

    /** SIGKILL, as a crash. */
    public void kill() {
        process.kill();
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) {
        await().atMost(timeout).until(() -> !process.isAlive());
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops it gracefully; one that does not end within 30 s is killed, and the test's output says so. */
    @Override
    public void close() {
        if (process.isAlive() && !process.stop(Duration.ofSeconds(30))) {
            System.out.printf("%s did not stop within 30 s of SIGTERM and was killed: it left Consul only if its log"
                    + " says so (%s)%n", instanceId(), log);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
