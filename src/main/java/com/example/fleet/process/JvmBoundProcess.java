package com.example.fleet.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child process that cannot outlive the JVM that started it: a small shell watchdog runs it, ends it when
 * told to, and ends it when the JVM is gone, even after kill -9 of the JVM. Used for Consul dev agents and, in
 * tests, for instances of the packaged application.
 */
public final class JvmBoundProcess {

    /** $1 is the JVM's PID; the command follows. SIGTERM to the watchdog is passed on to the command. */
    private static final String WATCHDOG = """
            jvm=$1; shift
            "$@" & child=$!
            trap 'kill -TERM $child 2>/dev/null; wait $child; exit $?' TERM INT HUP
            while kill -0 "$jvm" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
            kill -TERM $child 2>/dev/null; wait $child
            """;

    private final Process watchdog;

    private JvmBoundProcess(Process watchdog) {
        this.watchdog = watchdog;
    }

    /** Starts {@code command} with extra environment variables, its output appended to {@code log}. */
    public static JvmBoundProcess start(List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "jvm-bound",
                Long.toString(ProcessHandle.current().pid())));
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        return new JvmBoundProcess(builder.start());
    }

    /** The command's own process (not the watchdog's), once it runs. */
    public Optional<ProcessHandle> child() {
        return watchdog.children().findFirst();
    }

    public boolean isAlive() {
        return watchdog.isAlive();
    }

    public int exitValue() {
        return watchdog.exitValue();
    }

    /** Asks the command to stop (SIGTERM) and waits; kills it when it does not stop within {@code grace}. */
    public void stop(Duration grace) {
        Optional<ProcessHandle> child = child();
        watchdog.destroy();
        try {
            if (!watchdog.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        child.ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Kills the command at once (SIGKILL), as a crash would; the watchdog then exits by itself. */
    public void kill() {
        child().ifPresent(ProcessHandle::destroyForcibly);
        watchdog.destroyForcibly();
        try {
            watchdog.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the command to end by itself. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return watchdog.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
