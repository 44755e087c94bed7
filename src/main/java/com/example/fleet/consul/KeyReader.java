package com.example.fleet.consul;

import java.util.Base64;
import java.util.Optional;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.UniHelper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/**
 * Blocking reads of one KV key for a {@link BlockingQueryLoop}. A missing key answers 404 with an
 * X-Consul-Index, so a watch can block on a key that does not exist yet. It uses Vert.x's own web client: the
 * Mutiny wrapper of that client spins over a hundred lambda classes when it is first loaded, at every start.
 */
public final class KeyReader implements AutoCloseable {

    /**
     * A key's raw value (bytes: it need not be text), the index of its last change, and the session holding its
     * lock, if any.
     */
    public record Entry(byte[] value, long modifyIndex, Optional<String> session) {
    }

    private final Renewal<WebClient> web;
    private final ConsulToken token;
    private final String wait;

    /** @param web made anew when the TLS material changes; the token goes with each request */
    KeyReader(Renewal<WebClient> web, ConsulToken token, WatchTiming timing) {
        this.web = web;
        this.token = token;
        this.wait = timing.waitParameter();
    }

    /**
     * The key's entry, empty when the key does not exist, with the index to block on next. A read refused with
     * {@code ACL not found} after the token changed carried the old token: it goes again with the current one.
     */
    public Uni<BlockingQueryLoop.Answer<Optional<Entry>>> read(String key, long index) {
        Optional<String> sent = token.current();
        return read(key, index, sent).onFailure(ConsulErrors::isUnknownToken).recoverWithUni(refused -> {
            if (!token.current().equals(sent)) {
                return read(key, index, token.current());
            }
            token.rereadInBackground();
            return Uni.createFrom().failure(refused);
        });
    }

    /** The key's entry now, empty when it does not exist: index 0 never blocks. */
    public Uni<Optional<Entry>> read(String key) {
        return read(key, 0).map(BlockingQueryLoop.Answer::value);
    }

    private Uni<BlockingQueryLoop.Answer<Optional<Entry>>> read(String key, long index, Optional<String> withToken) {
        var request = web.current().get("/v1/kv/" + key).addQueryParam("index", Long.toString(index))
                .addQueryParam("wait", wait);
        withToken.ifPresent(t -> request.putHeader("X-Consul-Token", t));
        return UniHelper.toUni(request.send())
                .map(response -> new BlockingQueryLoop.Answer<>(entry(response), index(response)));
    }

    @Override
    public void close() {
        web.close();
    }

    private static Optional<Entry> entry(HttpResponse<Buffer> response) {
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            // the same wording as the Consul client's errors, which ConsulErrors reads
            throw new IllegalStateException(String.format("Status message: '%s'. Body: '%s'", response.statusMessage(),
                    response.bodyAsString()));
        }
        JsonObject first = new JsonArray(response.bodyAsString()).getJsonObject(0);
        String encoded = first.getString("Value");
        byte[] value = encoded == null ? new byte[0] : Base64.getDecoder().decode(encoded);
        return Optional.of(new Entry(value, first.getLong("ModifyIndex", 0L),
                Optional.ofNullable(first.getString("Session")).filter(session -> !session.isBlank())));
    }

    private static long index(HttpResponse<Buffer> response) {
        String header = response.getHeader("X-Consul-Index");
        try {
            return header == null ? 0 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
