package com.example.fleet.scaling.policy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/** Turns the raw bytes of a policy key into text, refusing what is not a small, human-written UTF-8 value. */
final class PolicyText {

    /** Enough bytes for any quote: UTF-8 takes at most 4 bytes per char. */
    private static final int QUOTED_BYTES = 4 * InvalidPolicyException.QUOTE_LIMIT;

    private PolicyText() {
    }

    static String decode(byte[] raw) {
        if (raw == null || raw.length == 0) {
            throw new InvalidPolicyException("it is empty", "");
        }
        // decoded leniently and only in part, just to quote it in the message
        String quoted = new String(raw, 0, Math.min(raw.length, QUOTED_BYTES), UTF_8);
        if (raw.length > ReplicaPolicyParser.MAX_BYTES) {
            throw new InvalidPolicyException("it is too large: %d bytes, the limit is %d bytes (4 KiB)"
                    .formatted(raw.length, ReplicaPolicyParser.MAX_BYTES), quoted);
        }
        CharsetDecoder decoder = UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidPolicyException("it is not valid UTF-8 text: byte 0x%02X at offset %d"
                    .formatted(raw[in.position()] & 0xFF, in.position()), quoted);
        }
        String text = out.flip().toString();
        rejectInvisible(text);
        return text;
    }

    private static void rejectInvisible(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFEFF') {
                throw new InvalidPolicyException(
                        "it contains a byte order mark (U+FEFF) at char " + i + "; save it as UTF-8 without BOM", text);
            }
            if (c == '\uFFFD') {
                // what a lenient decoder (such as the one behind a String-valued client) leaves for non-UTF-8 bytes
                throw new InvalidPolicyException("it contains U+FFFD at char " + i
                        + ", the replacement for bytes that were not valid UTF-8 text", text);
            }
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                throw new InvalidPolicyException(
                        "it contains the control character U+%04X at char %d; binary data is not a policy"
                                .formatted((int) c, i),
                        text);
            }
        }
    }

    /** {@code text} cut to {@code limit} chars, with line breaks, control and invisible characters escaped. */
    static String printable(String text, int limit) {
        int end = Math.min(text.length(), limit);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || invisible(c)) {
                        out.append("\\u%04X".formatted((int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return end < text.length() ? out + "..." : out.toString();
    }

    private static boolean invisible(char c) {
        return c == '\uFFFD' || switch (Character.getType(c)) {
            case Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.UNASSIGNED,
                    Character.PRIVATE_USE -> true;
            default -> false;
        };
    }
}
