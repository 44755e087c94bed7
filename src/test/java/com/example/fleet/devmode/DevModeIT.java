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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.fleet.testing.ConsulApi;

import io.vertx.core.json.JsonObject;

/**
 * The first of the README's two commands, as a user runs it: {@code ./mvnw quarkus:dev} on a copy of the
 * project, with no CONSUL_HTTP_ADDR, serves requests, registered in the Consul dev agent it started; the replica
 * policy written to that agent starts and drains instances; a live reload replaces them with instances of the new
 * code; and stopping dev mode stops them and the agent too.
 */
// ITs run two classes at a time (pom.xml, failsafe): a nested build of its own: after the scaffold test's, most of the time
@Order(5)
class DevModeIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path LOG = PROJECT.resolve(Path.of("target", "it-logs", "dev-mode.log"));
    private static final Pattern AGENT = Pattern.compile("Consul dev agent is up at ([0-9.]+:[0-9]+)");
    private static final String POLICY = "config/fleet-service/replicas";
    /** Dependency resolution on a fresh machine, compilation and start on 2 cores. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);
    /** The first instance waits for dev mode to package the application (half a minute on an idle 2-core machine). */
    private static final Duration PACKAGED_START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CHANGE_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path copy;

    @Test
    void devModeRunsItsFleetFromThePolicyReplacesItAtAReloadAndLeavesNothingBehind() throws Exception {
        copyProject();
        int port = freePort();
        int management = freePort();
        // a fixed management port and a debugger on its own port: instances that took either would not start
        enableManagementInterface(management);
        Files.createDirectories(LOG.getParent());
        ProcessBuilder builder = new ProcessBuilder("./mvnw", "-B", "quarkus:dev", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Ddebug=" + freePort(), "-Dquarkus.analytics.disabled=true",
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
                    .until(() -> get(management, "/q/health/ready").filter(body -> body.contains("REGISTERED"))
                            .isPresent() || !maven.isAlive());
            assertThat(maven.isAlive()).as("dev mode is running; see %s", LOG).isTrue();
            assertThat(get(port, "/api/hello")).hasValueSatisfying(body -> assertThat(body)
                    .contains("Hello from fleet-service").contains("fleet-service-127.0.0.1-" + port));

            Matcher started = AGENT.matcher(Files.readString(LOG));
            assertThat(started.find()).as("dev mode says where its Consul dev agent listens").isTrue();
            agent = started.group(1);
            ConsulApi consul = new ConsulApi(agent);
            assertThat(passingPorts(consul)).containsExactly(port);

            consul.putKey(POLICY, "2");
            int first = awaitOneChild(consul, port, PACKAGED_START_TIMEOUT);
            ProcessHandle firstChild = instanceProcess(maven, first);
            assertThat(get(first, "/api/hello")).hasValueSatisfying(body -> assertThat(body)
                    .contains("fleet-service-127.0.0.1-" + first));

            consul.putKey(POLICY, "1");
            await().atMost(CHANGE_TIMEOUT).until(() -> passingPorts(consul).equals(List.of(port)));
            await().atMost(CHANGE_TIMEOUT).until(() -> !firstChild.isAlive());

            consul.putKey(POLICY, "2");
            ProcessHandle second = instanceProcess(maven, awaitOneChild(consul, port, CHANGE_TIMEOUT));

            // a live reload stops the instances of the old code; the new code starts its own
            Path properties = copy.resolve("src/main/resources/application.properties");
            Files.writeString(properties, Files.readString(properties).replaceFirst("(?m)^greeting\\.message=.*$",
                    "greeting.message=Hello after a live reload"));
            assertThat(get(port, "/api/hello")).hasValueSatisfying(body -> assertThat(body)
                    .contains("Hello after a live reload"));
            await().atMost(CHANGE_TIMEOUT).until(() -> !second.isAlive());
            int third = awaitOneChild(consul, port, PACKAGED_START_TIMEOUT);
            assertThat(get(third, "/api/hello")).hasValueSatisfying(body -> assertThat(body)
                    .contains("Hello after a live reload"));
            // below dev mode, so among the processes its stop must end
            instanceProcess(maven, third);
        } finally {
            left = stop(maven);
        }
        assertThat(left).as("processes of dev mode still running after its exit (killed now)").isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> get(agent, "/v1/status/leader").isEmpty());
        // the agent outlived the instances, so each of them left it: no deregistration ERROR on the way out
        assertThat(Files.readString(LOG)).doesNotContain("Could not deregister");
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

    /** In application.properties, so that the instances dev mode packages have it too; health moves there. */
    private void enableManagementInterface(int port) throws IOException {
        Files.writeString(copy.resolve("src/main/resources/application.properties"), String.join("\n",
                "", "quarkus.management.enabled=true", "quarkus.management.host=127.0.0.1",
                "quarkus.management.port=" + port, ""), StandardOpenOption.APPEND);
    }

    /** The ports of the passing instances, dev mode's own among them. */
    private static List<Integer> passingPorts(ConsulApi consul) {
        return consul.health("fleet-service").stream().map(JsonObject.class::cast)
                .filter(entry -> entry.getJsonArray("Checks").stream().map(JsonObject.class::cast)
                        .allMatch(check -> "passing".equals(check.getString("Status"))))
                .map(entry -> entry.getJsonObject("Service").getInteger("Port")).sorted().toList();
    }

    /** Waits for dev mode's own instance and one more, both passing; the other one's port. */
    private static int awaitOneChild(ConsulApi consul, int devModePort, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> passingPorts(consul).size() == 2 && passingPorts(consul).contains(devModePort));
        return passingPorts(consul).stream().filter(other -> other != devModePort).findFirst().orElseThrow();
    }

    /** The JVM, below dev mode, of the instance started on {@code port}. */
    private static ProcessHandle instanceProcess(Process maven, int port) {
        return maven.descendants().filter(process -> List.of(process.info().arguments().orElse(new String[0]))
                .contains("-Dquarkus.http.port=" + port)).findFirst()
                .orElseThrow(() -> new AssertionError("no process below dev mode listens on " + port));
    }

    /**
     * Maven's shutdown stops the dev-mode JVM, whose shutdown stops its instances and the agent; stragglers are
     * killed. Returns the processes that were still alive after their grace, so that the test can fail on them without
     * hiding an earlier failure.
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
        return get("127.0.0.1:" + port, path);
    }

    private Optional<String> get(String address, String path) {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
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
