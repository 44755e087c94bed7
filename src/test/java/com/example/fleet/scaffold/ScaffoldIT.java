package com.example.fleet.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

/**
 * The clone-as-scaffold command as a user runs it ({@code java src/scaffold/Scaffold.java ...} from the project
 * root): bad arguments create nothing, and a renamed project builds and passes its own tests offline.
 */
// ITs run two classes at a time (pom.xml, failsafe): the longest, and a nested build: first, while the other thread runs ITs that mostly wait
@Order(1)
class ScaffoldIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path LOGS = PROJECT.resolve(Path.of("target", "scaffold-it"));
    /** The source launcher compiles the program first: a few seconds. */
    private static final Duration SCAFFOLD_TIMEOUT = Duration.ofMinutes(2);
    /** The new project's compilation, three of its tests and one IT, with its packaging: a minute or two. */
    private static final Duration NESTED_BUILD_TIMEOUT = Duration.ofMinutes(20);
    /** The new project's tests that depend on the names the command changes (see {@link #buildsOffline}). */
    private static final List<String> NESTED_TESTS = List.of("RegistrationLifecycleTest", "KubernetesManifestsTest",
            "KubernetesActuatorTest");
    /** The packaged application of the new project, registering under its new name. */
    private static final String NESTED_IT = "FleetRegistrationIT#twoInstancesOnOneAgentGetTwoEntriesWithTheirRealPorts";

    /** Whether this run compiled the program for {@link #compiledCommand}. */
    private static boolean compiled;

    @TempDir
    Path temp;

    static Stream<Arguments> badArguments() {
        return Stream.of(
                bad("uppercase service name", "--service-name", "Billing", "contains 'B'", "DNS-1123"),
                bad("service name starting with a digit", "--service-name", "9lives", "does not start with a letter"),
                bad("underscore in service name", "--service-name", "a_b", "contains '_'"),
                bad("service name starting with a dash", "--service-name", "-x", "does not start with a letter"),
                bad("64-character service name", "--service-name", "a".repeat(64), "is 64 characters long",
                        "at most 63"),
                bad("service name ending with a dash", "--service-name", "billing-", "ends with '-'"),
                bad("keyword in package", "--package", "com.acme.class", "'class'", "reserved Java word"),
                bad("reserved literal in package", "--package", "com.acme.true", "'true'", "reserved Java word"),
                bad("empty package part", "--package", "com..acme", "empty part"),
                bad("uppercase package", "--package", "Com.Acme", "'Com'", "not a lowercase Java identifier"),
                bad("JDK package", "--package", "java.util", "belongs to the JDK"),
                bad("package part starting with a digit", "--package", "1com.acme", "'1com'"),
                bad("uppercase group id", "--group-id", "Com.Acme", "is not a Maven group id"),
                bad("invalid artifact id", "--artifact-id", "Billing", "contains 'B'", "service-name rule"));
    }

    /** Valid arguments with one replaced (or added) by {@code option value}. */
    private static Arguments bad(String description, String option, String value, String... expected) {
        return Arguments.of(description, option, value, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void badValueIsRejectedAndNothingIsCreated(String description, String option, String value, List<String> expected)
            throws Exception {
        Path to = temp.resolve("new-service");
        List<String> arguments = new ArrayList<>(validArguments(to));
        int at = arguments.indexOf(option);
        if (at >= 0) {
            arguments.set(at + 1, value);
        } else {
            arguments.addAll(List.of(option, value));
        }

        Run run = scaffold("bad-" + description.replace(' ', '-'), arguments);

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains(option, "\"" + value + "\"").contains(expected);
        assertNothingCreated(to);
    }

    @Test
    void existingTargetIsRejectedAndLeftAlone() throws Exception {
        Path to = Files.createDirectory(temp.resolve("taken"));

        Run run = scaffold("bad-existing-target", validArguments(to));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--to", "already exists");
        try (Stream<Path> entries = Files.list(to)) {
            assertThat(entries).isEmpty();
        }
        assertNoStagingLeft(to);
    }

    @Test
    void targetWithoutParentIsRejected() throws Exception {
        Path to = temp.resolve("missing").resolve("new-service");

        Run run = scaffold("bad-missing-parent", validArguments(to));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--to", "parent directory", "does not exist");
        assertThat(temp.resolve("missing")).doesNotExist();
    }

    @Test
    void targetInsideTheTemplateIsRejected() throws Exception {
        Path to = PROJECT.resolve(Path.of("target", "scaffold-inside"));

        Run run = scaffold("bad-inside-template", validArguments(to));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--to", "inside the template");
        assertNothingCreated(to);
    }

    @Test
    void missingRequiredOptionsAreNamed() throws Exception {
        Path to = temp.resolve("new-service");

        Run run = scaffold("bad-missing-options", List.of("--service-name", "billing-service", "--to", to.toString()));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--package is required", "--group-id is required");
        assertNothingCreated(to);
    }

    @Test
    void unknownOptionIsRejected() throws Exception {
        Path to = temp.resolve("new-service");
        List<String> arguments = new ArrayList<>(validArguments(to));
        arguments.add("--force");

        Run run = scaffold("bad-unknown-option", arguments);

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("unknown option --force");
        assertNothingCreated(to);
    }

    @Test
    void helpPrintsTheUsage() throws Exception {
        Run run = run("help", command(List.of("--help")));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("Usage", "--service-name", "--package", "--group-id", "--artifact-id",
                "--to");
    }

    /**
     * SIGTERM while the copy runs (or before, or after: the timing is not fixed) never leaves a staging tree or a
     * partial target: either nothing or the whole result.
     */
    @Test
    void stoppedRunLeavesNothingOrTheWholeResult() throws Exception {
        Path to = temp.resolve("stopped-service");
        Process process = start("stopped", command(validArguments(to)), PROJECT);
        try {
            await().atMost(SCAFFOLD_TIMEOUT).pollInterval(Duration.ofMillis(2))
                    .until(() -> !process.isAlive() || !stagingDirectories(to).isEmpty());
            process.destroy();
            assertThat(process.waitFor(SCAFFOLD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            destroyTree(process);
        }

        assertNoStagingLeft(to);
        if (Files.exists(to)) {
            assertThat(to.resolve("pom.xml")).isRegularFile();
            assertThat(to.resolve("src/main/java/com/acme/billing/registration/ConsulRegistrar.java")).isRegularFile();
            assertThat(leftoverTemplateNames(to)).isEmpty();
        }
    }

    @Test
    void renamedProjectPassesItsOwnBuild() throws Exception {
        Path to = temp.resolve("billing-service");

        Run run = run("good", command(validArguments(to)));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("cd " + to.toRealPath() + " && git init && ./mvnw verify");
        assertNoStagingLeft(to);

        Path main = to.resolve("src/main/java/com/acme/billing");
        Path test = to.resolve("src/test/java/com/acme/billing");
        assertThat(relativeFiles(main)).isEqualTo(relativeFiles(PROJECT.resolve("src/main/java/com/example/fleet")));
        assertThat(relativeFiles(test)).isEqualTo(relativeFiles(PROJECT.resolve("src/test/java/com/example/fleet"))
                .stream().filter(file -> !file.startsWith("scaffold/")).toList());
        assertThat(Files.readString(main.resolve("registration/ConsulRegistrar.java")))
                .startsWith("package com.acme.billing.registration;");
        assertThat(to.resolve("src/main/java/com/example")).doesNotExist();
        assertThat(to.resolve("src/test/java/com/example")).doesNotExist();
        assertThat(to.resolve("src/scaffold")).doesNotExist();
        assertThat(test.resolve("scaffold")).doesNotExist();
        assertThat(to.resolve(".git")).doesNotExist();
        assertThat(to.resolve("target")).doesNotExist();
        assertThat(leftoverTemplateNames(to)).isEmpty();

        assertThat(Files.readString(to.resolve("src/main/resources/application.properties")))
                .contains("quarkus.application.name=billing-service")
                .contains("quarkus.stork.billing-service.service-discovery.type=consul-watch")
                // the capability's settings keep their names
                .contains("fleet.consul.address=");
        assertThat(Files.readString(to.resolve("README.md"))).startsWith("# billing-service\n")
                .doesNotContain("scaffold:begin", "scaffold:end", "src/scaffold");

        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(to.resolve("pom.xml").toFile())
                .getDocumentElement();
        assertThat(child(pom, "groupId")).isEqualTo("com.acme");
        assertThat(child(pom, "artifactId")).isEqualTo("billing-service");
        assertThat(child(pom, "name")).isEqualTo("billing-service");
        assertThat(Files.readString(to.resolve("pom.xml"))).contains("<groupId>io.quarkus</groupId>");

        assertThat(Files.isExecutable(to.resolve("mvnw"))).as("mvnw is executable").isTrue();

        buildsOffline(to);
    }

    /**
     * The new project's build, offline with the artifacts the outer build has, with both build switches on: all of
     * its code and tests compiled, and the tests that depend on the renamed names run (the service registered under
     * its new name, the renamed manifests, the kubernetes actuator scaling the renamed Deployment, one IT of the
     * packaged application). Every other test is the template's own, which the outer build runs.
     */
    private static void buildsOffline(Path project) throws Exception {
        Path log = LOGS.resolve("nested-verify.log");
        // one test JVM and one IT at a time: the outer build runs other ITs meanwhile
        Process build = start("nested-verify", List.of("./mvnw", "-o", "-B", "verify", "-Dfleet.tracing=true",
                "-Dfleet.kubernetes=true", "-Dtest.forks=1", "-Dit.threads=1",
                "-Dtest=" + String.join(",", NESTED_TESTS), "-Dsurefire.failIfNoSpecifiedTests=false",
                "-Dit.test=" + NESTED_IT), project);
        int exitCode = awaitExit(build, NESTED_BUILD_TIMEOUT, log);
        assertThat(exitCode).as("./mvnw verify of the renamed project; its output is in %s", log).isZero();

        TestCounts unit = testCounts(project.resolve("target/surefire-reports"));
        TestCounts integration = testCounts(project.resolve("target/failsafe-reports"));
        assertThat(unit.tests()).as("unit and Quarkus tests ran").isPositive();
        assertThat(unit.failed()).as("failed unit and Quarkus tests").isZero();
        for (String test : NESTED_TESTS) {
            try (Stream<Path> reports = Files.list(project.resolve("target/surefire-reports"))) {
                assertThat(reports.map(report -> report.getFileName().toString()))
                        .as("%s ran", test).anyMatch(name -> name.startsWith("TEST-com.acme.billing.")
                                && name.endsWith("." + test + ".xml"));
            }
        }
        assertThat(integration.tests()).as("integration tests ran").isPositive();
        assertThat(integration.failed()).as("failed integration tests").isZero();
        assertThat(project.resolve(
                "target/failsafe-reports/TEST-com.acme.billing.registration.FleetRegistrationIT.xml")).isRegularFile();
        try (Stream<Path> jars = Files.list(project.resolve("target/quarkus-app/lib/main"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString()).toList())
                    .as("the switches put tracing and the Kubernetes client into the application")
                    .anyMatch(name -> name.contains("quarkus-opentelemetry"))
                    .anyMatch(name -> name.contains("quarkus-kubernetes-client"));
        }
    }

    // --- running the command ---------------------------------------------------------------------------------

    private record Run(int exitCode, String output) {
    }

    private static List<String> validArguments(Path to) {
        return List.of("--service-name", "billing-service", "--package", "com.acme.billing", "--group-id", "com.acme",
                "--to", to.toString());
    }

    /** The command as a user runs it: the source launcher compiles the program first. */
    private static List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(java(), "src/scaffold/Scaffold.java"));
        command.addAll(arguments);
        return command;
    }

    /**
     * The same program, compiled once for the runs that check its answers to bad arguments: the source launcher
     * would compile it again for each of them, a few seconds every time.
     */
    private static synchronized List<String> compiledCommand(List<String> arguments) throws Exception {
        Path classes = LOGS.resolve("classes");
        if (!compiled) {
            // this run's program, never one an earlier run compiled
            Files.createDirectories(classes);
            Path javac = Path.of(java()).resolveSibling("javac");
            int exitCode = awaitExit(start("compile", List.of(javac.toString(), "-d", classes.toString(),
                    "src/scaffold/Scaffold.java"), PROJECT), SCAFFOLD_TIMEOUT, LOGS.resolve("compile.log"));
            assertThat(exitCode).as("javac src/scaffold/Scaffold.java").isZero();
            compiled = true;
        }
        List<String> command = new ArrayList<>(List.of(java(), "-cp", classes.toString(), "Scaffold"));
        command.addAll(arguments);
        return command;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** Runs the compiled program: for bad arguments, which create nothing. */
    private static Run scaffold(String name, List<String> arguments) throws Exception {
        return run(name, compiledCommand(arguments));
    }

    private static Run run(String name, List<String> command) throws Exception {
        Path log = LOGS.resolve(name + ".log");
        int exitCode = awaitExit(start(name, command, PROJECT), SCAFFOLD_TIMEOUT, log);
        return new Run(exitCode, Files.readString(log));
    }

    /** Starts {@code command} in {@code directory}, output and errors to target/scaffold-it/{@code name}.log. */
    private static Process start(String name, List<String> command, Path directory) throws IOException {
        Files.createDirectories(LOGS);
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(name + ".log").toFile()).start();
        process.getOutputStream().close();
        return process;
    }

    /** The exit code; a process still running at the timeout (or when waiting fails) is killed with its children. */
    private static int awaitExit(Process process, Duration timeout, Path log) throws InterruptedException {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(process.info().commandLine().orElse("the process") + " did not end within "
                        + timeout + "; its output is in " + log);
            }
            return process.exitValue();
        } finally {
            destroyTree(process);
        }
    }

    private static void destroyTree(Process process) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        // listed first: once the parent is gone its children are no longer its descendants
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
    }

    // --- checking the result ---------------------------------------------------------------------------------

    private static void assertNothingCreated(Path to) throws IOException {
        assertThat(to).doesNotExist();
        assertNoStagingLeft(to);
    }

    private static void assertNoStagingLeft(Path to) throws IOException {
        assertThat(stagingDirectories(to)).as("staging directories next to %s", to).isEmpty();
    }

    private static List<Path> stagingDirectories(Path to) throws IOException {
        try (Stream<Path> siblings = Files.list(to.getParent())) {
            return siblings.filter(path -> path.getFileName().toString().startsWith(to.getFileName() + ".partial-"))
                    .toList();
        }
    }

    /** Files (and directories) whose path or UTF-8 text still names the template's package or service. */
    private static List<String> leftoverTemplateNames(Path root) throws IOException {
        Set<String> names = Set.of("com.example.fleet", "com/example/fleet", "fleet-service");
        try (Stream<Path> tree = Files.walk(root)) {
            return tree.filter(path -> {
                String relative = root.relativize(path).toString();
                return names.stream().anyMatch(relative::contains)
                        || Files.isRegularFile(path) && names.stream().anyMatch(textOf(path)::contains);
            }).map(path -> root.relativize(path).toString()).toList();
        }
    }

    private static String textOf(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException binary) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> relativeFiles(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            return tree.filter(Files::isRegularFile).map(path -> root.relativize(path).toString()).sorted().toList();
        }
    }

    private static String child(Element element, String name) {
        for (var node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(name)) {
                return child.getTextContent();
            }
        }
        return null;
    }

    private record TestCounts(int tests, int failed) {
    }

    /** Totals over the TEST-*.xml reports of surefire or failsafe. */
    private static TestCounts testCounts(Path reports) throws Exception {
        int tests = 0;
        int failed = 0;
        try (Stream<Path> files = Files.list(reports)) {
            for (Path report : files.filter(file -> file.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                        .getDocumentElement();
                tests += Integer.parseInt(suite.getAttribute("tests"));
                failed += Integer.parseInt(suite.getAttribute("failures"))
                        + Integer.parseInt(suite.getAttribute("errors"));
            }
        }
        return new TestCounts(tests, failed);
    }
}
