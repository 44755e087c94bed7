package com.example.fleet.consul;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A blocking-query watch of one KV key ({@link BlockingQueryLoop} over a {@link KeyReader}); every answer, also
 * "the key does not exist", reaches the consumer on the Vert.x context. Closing it stops the loop and its client.
 */
public final class KeyWatch implements AutoCloseable {

    private static final Backoff RETRIES = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    private final KeyReader reader;
    private final BlockingQueryLoop<Optional<KeyReader.Entry>> loop;

    KeyWatch(io.vertx.mutiny.core.Vertx vertx, KeyReader reader, String key, Duration minInterval,
            Consumer<Optional<KeyReader.Entry>> onAnswer, Consumer<Throwable> onFailure) {
        this.reader = reader;
        this.loop = new BlockingQueryLoop<>(vertx, index -> reader.read(key, index), minInterval, RETRIES, onAnswer,
                onFailure);
    }

    public KeyWatch start() {
        loop.start();
        return this;
    }

    @Override
    public void close() {
        loop.stop();
        reader.close();
    }
}
