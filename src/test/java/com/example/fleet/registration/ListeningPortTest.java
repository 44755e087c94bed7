package com.example.fleet.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.example.fleet.support.VertxTimers;

import io.vertx.core.Vertx;

class ListeningPortTest {

    /** Far beyond what any of these waits needs; a wait that hangs fails here instead of hanging the build. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Vertx vertx = Vertx.vertx();
    private final VertxTimers timers = new VertxTimers(vertx);

    @AfterEach
    void close() {
        System.clearProperty(ListeningPort.DEV_MODE_REMEMBERED);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Answers the given ports in turn, then the last one for ever; counts the questions. */
    private static final class ServerPort implements IntSupplier {
        private final Deque<Integer> answers;
        private int asked;

        ServerPort(Integer... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public synchronized int getAsInt() {
            asked++;
            return answers.size() > 1 ? answers.poll() : answers.peek();
        }

        synchronized int asked() {
            return asked;
        }
    }

    private ListeningPort port(IntSupplier server, Duration patience, boolean devMode) {
        return new ListeningPort("the HTTP server", server, timers, patience, devMode);
    }

    @Test
    void aRandomPortIsWaitedForUntilTheServerKnowsItInsteadOfTakingMinusOne() {
        ServerPort server = new ServerPort(-1, -1, -1, 43210);
        int bound = port(server, BOUND, false).afterStart(0).await().atMost(BOUND);
        assertThat(bound).isEqualTo(43210);
        assertThat(server.asked()).isEqualTo(4);
    }

    @Test
    void theConfiguredPortTheEventAnnouncesIsTheBoundOne() {
        ServerPort server = new ServerPort(-1);
        assertThat(port(server, BOUND, false).afterStart(8123).await().atMost(BOUND)).isEqualTo(8123);
        assertThat(server.asked()).isZero();
    }

    @Test
    void aPortThatNeverComesFailsNamingTheWait() {
        ServerPort server = new ServerPort(-1);
        assertThatThrownBy(() -> port(server, Duration.ofMillis(300), false).afterStart(0).await().atMost(BOUND))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not report the port it bound within PT0.3S")
                .hasMessageContaining("answers -1");
        assertThat(server.asked()).isGreaterThan(1);
    }

    @Test
    void atStartupOnlyAPortTheServerAlreadyKnowsCounts() {
        assertThat(port(new ServerPort(-1), BOUND, false).atStartup()).isEmpty();
        assertThat(port(new ServerPort(8123), BOUND, false).atStartup()).hasValue(8123);
    }

    @Test
    void devModeRemembersThePortForTheStartupAfterALiveReload() {
        port(new ServerPort(-1, 40001), BOUND, true).afterStart(0).await().atMost(BOUND);
        // after a live reload the server keeps listening but the restarted application cannot read its port
        assertThat(port(new ServerPort(-1), BOUND, true).atStartup()).hasValue(40001);
        assertThat(port(new ServerPort(-1), BOUND, false).atStartup()).as("only dev mode reloads").isEmpty();
    }
}
