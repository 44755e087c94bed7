package com.example.fleet.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmBoundProcessTest {

    @TempDir
    Path temp;

    @Test
    void theProcessIsTheCommandItselfSoSignalsReachIt() throws Exception {
        JvmBoundProcess sleeper = JvmBoundProcess.start(List.of("sleep", "300"), Map.of(), temp.resolve("sleep.log"));
        try {
            // the watcher's own "sleep 1" runs next to it: only the command may be the handle
            await().atMost(Duration.ofSeconds(10)).until(() -> sleeper.handle().info().arguments()
                    .map(arguments -> List.of(arguments).equals(List.of("300"))).orElse(false));

            assertThat(sleeper.stop(Duration.ofSeconds(10))).as("stopped by itself").isTrue();

            assertThat(sleeper.isAlive()).isFalse();
            assertThat(sleeper.exitValue()).as("128 + SIGTERM, from the command itself").isEqualTo(143);
        } finally {
            sleeper.kill();
        }
    }

    @Test
    void aCommandThatIgnoresTheStopIsKilledAfterItsGraceAndSaysSo() throws Exception {
        // a loop of short sleeps: once the shell is killed, nothing of it outlives the test by more than a second
        Path log = temp.resolve("stubborn.log");
        JvmBoundProcess stubborn = JvmBoundProcess.start(List.of("sh", "-c",
                "trap '' TERM; echo ignoring; while :; do sleep 1; done"), Map.of(), log);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("ignoring"));
            assertThat(stubborn.stop(Duration.ofSeconds(1))).as("stopped by itself").isFalse();
            assertThat(stubborn.isAlive()).isFalse();
        } finally {
            stubborn.kill();
        }
    }

    @Test
    void theCommandEndsWhenTheJvmThatStartedItIsKilled() throws Exception {
        Path pidFile = temp.resolve("command.pid");
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), BoundCommandStarter.class.getName(), pidFile.toString())
                .redirectErrorStream(true).redirectOutput(temp.resolve("jvm.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile) || !jvm.isAlive());
            ProcessHandle command = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
            try {
                jvm.destroyForcibly();
                assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();

                // the watcher looks once a second
                await().atMost(Duration.ofSeconds(30)).until(() -> !command.isAlive());
            } finally {
                command.destroyForcibly();
            }
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Run in a JVM of its own: starts a bound command, writes its PID, then waits to be killed. */
    public static final class BoundCommandStarter {

        public static void main(String[] args) throws IOException, InterruptedException {
            CountDownLatch killed = new CountDownLatch(1);
            Path pidFile = Path.of(args[0]);
            JvmBoundProcess command = JvmBoundProcess.start(List.of("sleep", "300"), Map.of(),
                    pidFile.resolveSibling("command.log"));
            Path partial = pidFile.resolveSibling("command.pid.partial");
            Files.writeString(partial, Long.toString(command.handle().pid()));
            Files.move(partial, pidFile);
            killed.await(5, TimeUnit.MINUTES);
        }
    }
}
