package com.example.fleet.scaling.audit;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The fleet's recent audit events as one Consul KV value holds them: a JSON array of audit lines (the objects the
 * {@code fleet.audit} logger writes), oldest first, at most {@value #CAPACITY}. Reading never fails: a value that is
 * not such an array (written by hand, cut short, binary) or is larger than any trail this class writes reads as no
 * events and says why, and the next append replaces it. Each text field is cut to {@value #MAX_FIELD_CHARS}
 * characters, so a full trail stays far below Consul's 512 KB limit for a value.
 *
 * @param events oldest first
 * @param problem why the stored value could not be read, if it could not
 */
public record AuditTrail(List<JsonObject> events, Optional<String> problem) {

    /** Events kept: the last few scaling passes of a busy fleet. */
    public static final int CAPACITY = 50;
    /** Longest text kept per field of an event; a longer one ends with an ellipsis. */
    static final int MAX_FIELD_CHARS = 1024;
    /** Above any trail this class writes (about 60 KB at most, escaped): a larger value is not ours. */
    static final int MAX_STORED_BYTES = 256 * 1024;

    public AuditTrail {
        events = List.copyOf(events);
    }

    public static AuditTrail empty() {
        return new AuditTrail(List.of(), Optional.empty());
    }

    /** The trail a stored value holds; an empty value is an empty trail. */
    public static AuditTrail parse(byte[] stored) {
        if (stored.length == 0) {
            return empty();
        }
        if (stored.length > MAX_STORED_BYTES) {
            return unreadable("it holds " + stored.length + " bytes, more than the " + MAX_STORED_BYTES
                    + " an audit trail takes");
        }
        JsonArray array;
        try {
            array = new JsonArray(utf8(stored));
        } catch (CharacterCodingException e) {
            return unreadable("it is not UTF-8 text");
        } catch (DecodeException | ClassCastException e) {
            return unreadable("it is not a JSON array of audit events");
        }
        List<JsonObject> events = new ArrayList<>();
        int skipped = 0;
        for (Object entry : array) {
            if (entry instanceof JsonObject event && event.getValue("event") instanceof String) {
                events.add(bounded(event));
            } else {
                skipped++;
            }
        }
        List<JsonObject> kept = events.subList(Math.max(0, events.size() - CAPACITY), events.size());
        return new AuditTrail(kept, skipped == 0 ? Optional.empty()
                : Optional.of("left out " + skipped + (skipped == 1 ? " entry that is" : " entries that are")
                        + " not audit events"));
    }

    /** This trail with {@code lines} added at the end, the oldest dropped beyond {@value #CAPACITY}. */
    public AuditTrail append(List<JsonObject> lines) {
        List<JsonObject> all = new ArrayList<>(events);
        lines.stream().map(AuditTrail::bounded).forEach(all::add);
        return new AuditTrail(all.subList(Math.max(0, all.size() - CAPACITY), all.size()), Optional.empty());
    }

    /** The stored form. */
    public String encode() {
        return new JsonArray(new ArrayList<>(events)).encode();
    }

    /** At most {@code limit} events, the newest first. */
    public List<JsonObject> newestFirst(int limit) {
        List<JsonObject> reversed = new ArrayList<>(events);
        Collections.reverse(reversed);
        return reversed.subList(0, Math.min(limit, reversed.size()));
    }

    /** A copy whose text fields are at most {@value #MAX_FIELD_CHARS} characters. */
    static JsonObject bounded(JsonObject line) {
        JsonObject copy = new JsonObject();
        line.forEach(field -> copy.put(field.getKey(), field.getValue() instanceof String text
                && text.length() > MAX_FIELD_CHARS ? text.substring(0, MAX_FIELD_CHARS - 1) + "…" : field.getValue()));
        return copy;
    }

    private static AuditTrail unreadable(String why) {
        return new AuditTrail(List.of(), Optional.of("the stored audit trail was not readable: " + why
                + "; the next audit event replaces it"));
    }

    private static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }
}
