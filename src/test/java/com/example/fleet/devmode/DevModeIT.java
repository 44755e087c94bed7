package com.example.fleet.devmode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.json.JsonArray;

/**
 * The first of the README's two commands, as a user runs it: {@code ./mvnw quarkus:dev} on a copy of the
 * project, with no CONSUL_HTTP_ADDR, serves requests, registered in the Consul dev agent it started, and
 * stopping it stops that agent too.
 */
class DevModeIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path LOG = PROJECT.resolve(Path.of("target", "it-logs", "dev-mode.log"));
    private static final Pattern AGENT = Pattern.compile("Consul dev agent is up at ([0-9.]+:[0-9]+)");
    /** Dependency resolution on a fresh machine, compilation and start on 2 cores. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path copy;

    @Test
    void devModeStartsAConsulAgentRegistersInItAndStopsItOnExit() throws Exception {
        copyProject();
        int port = freePort();
        Files.createDirectories(LOG.getParent());
        ProcessBuilder builder = new ProcessBuilder("./mvnw", "-B", "quarkus:dev", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Ddebug=false", "-Dquarkus.analytics.disabled=true",
                "-Dquarkus.console.enabled=false").directory(copy.toFile()).redirectErrorStream(true)
                .redirectOutput(LOG.toFile());
        builder.environment().remove("CONSUL_HTTP_ADDR");
        builder.environment().remove("CONSUL_HTTP_TOKEN");
        Process maven = builder.start();
        maven.getOutputStream().close();
        String agent;
        List<ProcessHandle> left;
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofSeconds(2))
                    .until(() -> get(port, "/q/health/ready").filter(body -> body.contains("REGISTERED")).isPresent()
                            || !maven.isAlive());
            assertThat(maven.isAlive()).as("dev mode is running; see %s", LOG).isTrue();
            assertThat(get(port, "/api/hello")).hasValueSatisfying(body -> assertThat(body)
                    .contains("Hello from fleet-service").contains("fleet-service-127.0.0.1-" + port));

            Matcher started = AGENT.matcher(Files.readString(LOG));
            assertThat(started.find()).as("dev mode says where its Consul dev agent listens").isTrue();
            agent = started.group(1);
            JsonArray instances = new JsonArray(getAt(agent, "/v1/health/service/fleet-service?passing=true")
                    .orElseThrow());
            assertThat(instances).hasSize(1);
            assertThat(instances.getJsonObject(0).getJsonObject("Service").getInteger("Port")).isEqualTo(port);
        } finally {
            left = stop(maven);
        }
        assertThat(left).as("processes of dev mode still running after its exit (killed now)").isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> getAt(agent, "/v1/status/leader").isEmpty());
    }

    /** What dev mode needs of the project: the build with its provisioning step, and the application's sources. */
    private void copyProject() throws IOException {
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src/main", "src/build")) {
            Path source = PROJECT.resolve(part);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(PROJECT.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    /**
     * Maven's shutdown stops the dev-mode JVM, whose shutdown stops the agent; stragglers are killed. Returns the
     * processes that were still alive after their grace, so that the test can fail on them without hiding an
     * earlier failure.
     */
    private static List<ProcessHandle> stop(Process maven) throws InterruptedException {
        List<ProcessHandle> tree = maven.descendants().toList();
        maven.destroy();
        if (!maven.waitFor(60, TimeUnit.SECONDS)) {
            maven.destroyForcibly();
        }
        List<ProcessHandle> stragglers = tree.stream()
                .filter(process -> process.onExit().completeOnTimeout(process, 30, TimeUnit.SECONDS).join().isAlive())
                .toList();
        stragglers.forEach(ProcessHandle::destroyForcibly);
        return stragglers;
    }

    private Optional<String> get(int port, String path) {
        return getAt("127.0.0.1:" + port, path);
    }

    private Optional<String> getAt(String address, String path) {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? Optional.of(answer.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
