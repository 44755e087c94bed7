package com.example.fleet.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;

/** Reads against a real HTTP server that answers, hangs or talks nonsense, and a port nobody listens on. */
class LoadReaderTest {

    private static final LoadNote BUSY = new LoadNote(3, 1_764_083_100_000L, 4.5);

    private Vertx vertx;
    private HttpServer server;
    private LoadReader reader;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            switch (request.path()) {
                case "/q/fleet/load" -> request.response().endAndForget(BUSY.toJson());
                case "/hang" -> { } // accepts, never answers
                case "/garbage" -> request.response().endAndForget("<html>not a load</html>");
                default -> request.response().setStatusCode(404).endAndForget(BUSY.toJson());
            }
        }).listenAndAwait(0, "127.0.0.1");
        reader = new LoadReader(vertx);
    }

    @AfterEach
    void stop() {
        reader.close();
        server.closeAndAwait();
        vertx.closeAndAwait();
    }

    @Test
    void keepsWhatAnsweredAndLeavesOutTargetsThatRefuseHangOrAnswerSomethingElse() throws IOException {
        Map<String, LoadReader.Target> targets = new LinkedHashMap<>();
        targets.put("answers", target("/q/fleet/load"));
        targets.put("hangs", target("/hang"));
        targets.put("garbage", target("/garbage"));
        targets.put("not-found", target("/elsewhere"));
        targets.put("refuses", new LoadReader.Target("127.0.0.1", portNobodyListensOn(), "/q/fleet/load"));

        Map<String, LoadNote> loads = reader.read(targets, Duration.ofSeconds(2)).await().atMost(Duration.ofSeconds(10));

        assertThat(loads).containsOnly(Map.entry("answers", BUSY));
    }

    @Test
    void readsMoreTargetsThanItReadsAtOnce() {
        Map<Integer, LoadReader.Target> targets = new LinkedHashMap<>();
        for (int i = 0; i < LoadReader.PARALLEL_READS * 3; i++) {
            targets.put(i, target("/q/fleet/load"));
        }

        Map<Integer, LoadNote> loads = reader.read(targets, Duration.ofSeconds(10)).await()
                .atMost(Duration.ofSeconds(30));

        assertThat(loads).hasSize(targets.size()).allSatisfy((key, load) -> assertThat(load).isEqualTo(BUSY));
    }

    @Test
    void noTargetsReadAsNoLoads() {
        assertThat(reader.read(Map.of(), Duration.ofMillis(100)).await().atMost(Duration.ofSeconds(5))).isEmpty();
    }

    private LoadReader.Target target(String path) {
        return new LoadReader.Target("127.0.0.1", server.actualPort(), path);
    }

    private static int portNobodyListensOn() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
