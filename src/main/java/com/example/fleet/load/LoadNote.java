package com.example.fleet.load;

import java.util.Optional;

import io.vertx.core.json.JsonObject;

/**
 * The load an instance answers on its load endpoint ({@link LoadEndpoint}), e.g.
 * {@code {"inFlight":2,"lastRequestMillis":1764083100000,"ratePerSecond":4.2}}: read by the scaling leader when it
 * chooses which instances to remove. It is not written to Consul: a value that changes with every request would
 * change the catalog, and wake every watcher of the service, at each heartbeat.
 *
 * @param inFlight requests being served
 * @param lastRequestMillis epoch milliseconds of the last request, 0 when none came yet
 * @param ratePerSecond requests per second over the last few seconds
 */
public record LoadNote(int inFlight, long lastRequestMillis, double ratePerSecond) {

    /** What an instance whose load could not be read counts as: idle, never requested. */
    public static final LoadNote NONE = new LoadNote(0, 0, 0);

    /** The load as the endpoint answers it; the rate is rounded to hundredths. */
    public String toJson() {
        return new JsonObject()
                .put("inFlight", inFlight)
                .put("lastRequestMillis", lastRequestMillis)
                .put("ratePerSecond", Math.round(ratePerSecond * 100) / 100.0)
                .encode();
    }

    /** Reads an answer of the endpoint; empty when it is not such a value (another server, a cut answer, garbage). */
    public static Optional<LoadNote> parse(String output) {
        if (output == null || !output.startsWith("{")) {
            return Optional.empty();
        }
        try {
            JsonObject json = new JsonObject(output);
            return Optional.of(new LoadNote(json.getInteger("inFlight", 0), json.getLong("lastRequestMillis", 0L),
                    json.getDouble("ratePerSecond", 0.0)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
