package com.example.fleet.consul;

import java.util.Optional;
import java.util.function.Consumer;

import io.vertx.mutiny.core.Vertx;

/**
 * A blocking-query watch of one KV key ({@link BlockingQueryLoop} over a {@link KeyReader}); every answer, also
 * "the key does not exist", reaches the consumer on the Vert.x context. Closing it stops the loop and its client.
 */
public final class KeyWatch implements AutoCloseable {

    private final KeyReader reader;
    private final BlockingQueryLoop<Optional<KeyReader.Entry>> loop;

    KeyWatch(Vertx vertx, KeyReader reader, String key, WatchTiming timing,
            Consumer<Optional<KeyReader.Entry>> onAnswer, Consumer<Throwable> onFailure) {
        this.reader = reader;
        this.loop = new BlockingQueryLoop<>(vertx, index -> reader.read(key, index), timing,
                answer -> onAnswer.accept(answer.value()), onFailure);
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
