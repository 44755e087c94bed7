package com.example.fleet.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process that cannot outlive the JVM that started it, even after kill -9 of the JVM: a small shell starts
 * a watcher in the background, then replaces itself with the command ({@code exec}), so the process this class
 * holds is the command itself and signals reach it directly. The watcher checks every second and stops the
 * command (SIGTERM) once the JVM is gone. Used by the local actuator for the instances it starts, by dev mode for
 * its Consul agent, and by the tests.
 */
public final class JvmBoundProcess {

    /**
     * $1 is the JVM's PID; the command follows. {@code $$} is the shell's PID, which {@code exec} gives to the
     * command. The watcher ends with the command too, and signals it only while the command was still alive at
     * its last look.
     */
    private static final String WATCHED_EXEC = """
            jvm=$1; shift
            (while kill -0 "$jvm" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done
             kill -0 "$jvm" 2>/dev/null || kill -TERM $$ 2>/dev/null) &
            exec "$@"
            """;

    private final Process process;
    private volatile boolean killed;

    private JvmBoundProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code command} with extra environment variables, its output appended to {@code log}. */
    public static JvmBoundProcess start(List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", WATCHED_EXEC, "jvm-bound",
                Long.toString(ProcessHandle.current().pid())));
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        return new JvmBoundProcess(builder.start());
    }

    /** The command's process. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    /**
     * Asks the command to stop (SIGTERM) and waits; kills it when it does not stop within {@code grace}. True when it
     * ended without being killed.
     */
    public boolean stop(Duration grace) {
        stopAll(List.of(this), grace);
        return !killed;
    }

    /**
     * Asks every command to stop at once (SIGTERM), so that they shut down side by side, and waits; kills those that
     * have not stopped within {@code grace}, and all that remain when the wait is interrupted.
     */
    public static void stopAll(List<JvmBoundProcess> processes, Duration grace) {
        processes.forEach(stopping -> stopping.process.destroy());
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        for (JvmBoundProcess stopping : processes) {
            try {
                if (interrupted || !stopping.process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    stopping.kill();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                stopping.kill();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the command at once (SIGKILL), as a crash would, and waits until it is gone. */
    public void kill() {
        killed = true;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the command to end by itself. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
