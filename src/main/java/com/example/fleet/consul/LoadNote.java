package com.example.fleet.consul;

import java.util.Optional;

import io.vertx.core.json.JsonObject;

/**
 * The load an instance publishes as the note (output) of its heartbeat check, e.g.
 * {@code {"inFlight":2,"lastRequestMillis":1764083100000,"ratePerSecond":4.2}}: written by the instance, read by
 * the scaling leader and shown by the fleet view.
 *
 * @param inFlight requests being served
 * @param lastRequestMillis epoch milliseconds of the last request, 0 when none came yet
 * @param ratePerSecond requests per second over the last few seconds
 */
public record LoadNote(int inFlight, long lastRequestMillis, double ratePerSecond) {

    /** What an instance without a readable note counts as. */
    public static final LoadNote NONE = new LoadNote(0, 0, 0);

    /** The note as the heartbeat sends it; the rate is rounded to hundredths. */
    public String toJson() {
        return new JsonObject()
                .put("inFlight", inFlight)
                .put("lastRequestMillis", lastRequestMillis)
                .put("ratePerSecond", Math.round(ratePerSecond * 100) / 100.0)
                .encode();
    }

    /** Reads a check's output; empty when it is not such a note (another check, a note being written, garbage). */
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
