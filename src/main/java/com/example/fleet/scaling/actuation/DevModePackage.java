package com.example.fleet.scaling.actuation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.example.fleet.process.JvmBoundProcess;
import com.example.fleet.scaling.ScalingSettings;

/**
 * This dev-mode application packaged as production runs it, for the instances its local actuator starts: built by
 * the Maven that runs {@code quarkus:dev}, with {@code quarkus:build}, from {@code target/classes}. That folder holds
 * what this process runs, since dev mode compiles a change there before it reloads; {@code package} would compile
 * sources newer than that. Built at the first request and kept for this start of the application: a live reload
 * is a new start, whose instances get a package of the new code. A build that fails is not tried again before that.
 */
final class DevModePackage {

    private static final Logger LOG = Logger.getLogger(DevModePackage.class);
    /** Dev mode resolved every dependency already; a build that takes longer than this hangs. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private final ScalingSettings.DevModePackaging settings;
    private Path jar;
    private RuntimeException failure;
    private volatile boolean cancelled;
    private volatile JvmBoundProcess build;

    DevModePackage(ScalingSettings.DevModePackaging settings) {
        this.settings = settings;
    }

    /** The package's {@code quarkus-run.jar}, built first if this start of the application has none yet. */
    synchronized Path jar() {
        if (jar == null && failure == null) {
            try {
                jar = build();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return jar;
    }

    /** Ends a build in progress, and refuses to start one: the application stops. */
    void cancel() {
        cancelled = true;
        JvmBoundProcess running = build;
        if (running != null) {
            running.kill();
        }
    }

    private Path build() {
        Path maven = required(settings.mavenHome(), "maven-home").resolve("bin").resolve("mvn");
        Path project = required(settings.project(), "project");
        Path output = required(settings.devPackage(), "dev-package");
        if (!Files.isExecutable(maven)) {
            throw new IllegalStateException("fleet.scaling.local.maven-home: " + maven + " is not an executable file;"
                    + " it must name the Maven installation that can build " + project);
        }
        List<String> command = new ArrayList<>(List.of(maven.toString(), "-B", "--no-transfer-progress", "-f",
                project.toString()));
        settings.mavenRepository().ifPresent(repository -> command.add("-Dmaven.repo.local=" + repository));
        command.addAll(List.of("quarkus:build", "-Dquarkus.package.output-directory=" + output));
        Path log = output.resolveSibling(output.getFileName() + "-build.log");
        LOG.infof("Packaging the application for the instances dev mode starts: quarkus:build of %s into %s (log: %s);"
                + " once per start of the application", project, output, log);
        Instant started = Instant.now();
        int exit = run(command, log);
        Path built = output.resolve("quarkus-run.jar");
        if (exit != 0 || !Files.isRegularFile(built)) {
            throw new IllegalStateException("Packaging the application for the instances dev mode starts failed"
                    + " (Maven exited with " + exit + "); see " + log + ". No instance starts before the application"
                    + " starts again (a live reload, or s in the dev-mode console)");
        }
        LOG.infof("Packaged the application for the instances dev mode starts in %d s",
                Duration.between(started, Instant.now()).toSeconds());
        return built;
    }

    /** Runs the build with this JVM's Java; its exit code. */
    private int run(List<String> command, Path log) {
        if (cancelled) {
            throw new IllegalStateException("the application stops: it is not packaged for new instances");
        }
        try {
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            build = JvmBoundProcess.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")), log);
            if (cancelled) {
                build.kill();
            }
            if (!build.waitFor(BUILD_TIMEOUT)) {
                build.kill();
                throw new IllegalStateException("Packaging the application for the instances dev mode starts took"
                        + " longer than " + BUILD_TIMEOUT.toMinutes() + " minutes and was stopped; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run Maven to package the application: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            build.kill();
        }
        if (cancelled || Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("the application stops: packaging it for new instances was ended");
        }
        return build.exitValue();
    }

    private static Path required(Optional<Path> setting, String name) {
        return setting.orElseThrow(() -> new IllegalStateException("fleet.scaling.local." + name + " is not set: the"
                + " local actuator of dev mode packages the application with the Maven that runs it, which"
                + " ./mvnw quarkus:dev names in the fleet.scaling.local.* settings (pom.xml, the quarkus-maven-plugin's"
                + " systemProperties); a dev mode started otherwise must set them"));
    }
}
