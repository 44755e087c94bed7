package com.example.fleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the packaged build hands to the container builds: the JVM Dockerfile copies paths that exist, both images
 * run as a numeric non-root user with the application as PID 1, and the native build steps that run on every
 * build (no GraalVM needed) registered what Jackson and Stork reach by reflection.
 */
class PackagingIT {

    private static final Path DOCKER = Path.of("src/main/docker");
    private static final Pattern COPY_FROM_TARGET = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(target/\\S+)\\s+(\\S+)$");
    private static final Pattern USER = Pattern.compile("(?m)^USER\\s+(\\S+)$");
    private static final Pattern ENTRYPOINT = Pattern.compile("(?ms)^ENTRYPOINT\\s+\\[(.*?)]$");

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static List<String> entrypoint(String dockerfile) {
        Matcher matcher = ENTRYPOINT.matcher(dockerfile.replace("\\\n", " "));
        assertThat(matcher.find()).as("an ENTRYPOINT in exec form (JSON array), so no shell sits before the application")
                .isTrue();
        return new JsonArray("[" + matcher.group(1) + "]").stream().map(String.class::cast).toList();
    }

    private static void assertNumericNonRootUser(String dockerfile) {
        Matcher user = USER.matcher(dockerfile);
        assertThat(user.find()).as("a USER line").isTrue();
        assertThat(user.group(1)).as("a numeric user, so that runAsNonRoot can check it").matches("[0-9]+")
                .isNotEqualTo("0");
    }

    @Test
    void theJvmImageCopiesWhatThePackageBuildWroteAndRunsItsJar() throws IOException {
        String dockerfile = read(DOCKER.resolve("Dockerfile.jvm"));
        Matcher copy = COPY_FROM_TARGET.matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            copies++;
            String source = copy.group(1);
            try (Stream<Path> matches = glob(source)) {
                assertThat(matches).as("COPY source %s exists after ./mvnw package", source).isNotEmpty();
            }
        }
        assertThat(copies).isEqualTo(4);
        List<String> entrypoint = entrypoint(dockerfile);
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).containsSubsequence("-jar", "/deployments/quarkus-run.jar")
                .contains("-Dquarkus.http.host=0.0.0.0");
        assertNumericNonRootUser(dockerfile);
        assertThat(read(Path.of(".dockerignore"))).contains("!target/quarkus-app/*").contains("!target/*-runner");
    }

    @Test
    void theNativeImageRunsTheExecutableAsANonRootUser() throws IOException {
        String dockerfile = read(DOCKER.resolve("Dockerfile.native-micro"));
        assertThat(dockerfile).contains("target/*-runner /work/application");
        assertThat(entrypoint(dockerfile)).startsWith("./application").contains("-Dquarkus.http.host=0.0.0.0");
        assertNumericNonRootUser(dockerfile);
    }

    @Test
    void theNativeBuildStepsRegisteredTheTypesReachedByReflection() throws IOException {
        Path sources = Path.of("target/native-sources");
        assertThat(sources.resolve("native-image.args")).as("the native-sources build ran").isRegularFile();
        Path runnerJar;
        try (Stream<Path> jars = glob(sources.resolve("*-runner.jar").toString())) {
            runnerJar = jars.findFirst().orElseThrow(() -> new AssertionError("no runner jar in " + sources));
        }
        List<String> registered;
        try (JarFile runner = new JarFile(runnerJar.toFile())) {
            String config = new String(runner.getInputStream(runner.getEntry("META-INF/native-image/reflect-config.json"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            registered = new JsonArray(config).stream().map(JsonObject.class::cast).map(entry -> entry.getString("name"))
                    .toList();
        }
        assertThat(registered).as("JSON bodies Jackson writes (the fleet page's frames too), and the Stork providers' generated loaders").contains(
                "com.example.fleet.api.GreetingResource$Greeting",
                "com.example.fleet.api.FleetResource$View",
                "com.example.fleet.api.FleetResource$Member",
                "com.example.fleet.scaling.policy.PolicyWatch$State",
                "com.example.fleet.scaling.policy.ReplicaPolicy",
                "com.example.fleet.scaling.leadership.LeaderElection$View",
                "com.example.fleet.api.FleetResource$Watched",
                "com.example.fleet.balancing.ladder.LevelLoad",
                "com.example.fleet.balancing.rules.InstanceLoad",
                "com.example.fleet.page.InstancesPart",
                "com.example.fleet.page.InstancesPart$Row",
                "com.example.fleet.page.InstancesPart$Watched",
                "com.example.fleet.page.FleetFeed$Control",
                "com.example.fleet.page.FleetFeed$Audit",
                "com.example.fleet.page.CallHistory$Chart",
                "com.example.fleet.page.CallHistory$Series",
                "com.example.fleet.page.FleetPageResource$Sent",
                "com.example.fleet.discovery.ConsulWatchServiceDiscoveryProviderLoader",
                "com.example.fleet.balancing.PeakEwmaLoadBalancerProviderLoader");
    }

    /** Build switches (docs/build-switches.md) that are off leave their extensions out of the application. */
    @Test
    void theDefaultBuildHoldsNeitherTracingNorTheKubernetesClient() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of("target/quarkus-app/lib/main"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString()))
                    .as("the libraries of the default build").isNotEmpty()
                    .noneMatch(name -> name.contains("opentelemetry") || name.contains("fabric8")
                            || name.contains("kubernetes-client"));
        }
        try (JarFile generated = new JarFile("target/quarkus-app/quarkus/generated-bytecode.jar")) {
            assertThat(generated.stream().map(entry -> entry.getName()))
                    .noneMatch(name -> name.contains("KubernetesActuator") || name.contains("OpenTelemetryTracing"));
        }
    }

    /** The files a Dockerfile source pattern names, with {@code *} only in its last segment. */
    private static Stream<Path> glob(String source) throws IOException {
        Path pattern = Path.of(source);
        String last = pattern.getFileName().toString();
        if (!last.contains("*")) {
            return Files.exists(pattern) ? Stream.of(pattern) : Stream.empty();
        }
        String regex = Pattern.quote(last).replace("*", "\\E.*\\Q");
        return Files.list(pattern.getParent()).filter(path -> path.getFileName().toString().matches(regex));
    }
}
