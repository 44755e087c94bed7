package com.example.fleet.scaling.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON form of a policy: strict Jackson for the syntax, then the tree checked by hand so that every
 * message speaks of the policy rather than of Jackson's types.
 */
final class JsonPolicyReader {

    // Our own mapper, not the application's: that one is tuned for REST and may be lenient.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            // a repeated key would silently keep the last value, and tools disagree on which one wins
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // already off by default; listed because these are what hand-edited values tend to contain
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_YAML_COMMENTS,
                    JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private JsonPolicyReader() {
    }

    /**
     * @param text the value without surrounding whitespace
     * @param value the value as stored, quoted in errors
     */
    static ReplicaPolicy read(String text, String value) {
        JsonNode root = tree(text, value);
        if (!root.isObject()) {
            throw new InvalidPolicyException(
                    "it is " + kind(root) + ", not an integer or a JSON object" + hint(root), value);
        }
        rejectUnknownFields(root, value);
        if (!root.has(FieldNames.REPLICAS)) {
            throw new InvalidPolicyException("missing required field 'replicas'", value);
        }
        int replicas = intField(root, FieldNames.REPLICAS, value).getAsInt();
        return ReplicaPolicyParser.withDefaults(replicas, intField(root, FieldNames.MIN, value),
                intField(root, FieldNames.MAX, value), order(root, value), value);
    }

    private static JsonNode tree(String text, String value) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode root = MAPPER.readTree(parser);
            // checked by hand, not with FAIL_ON_TRAILING_TOKENS: Jackson reports "{...} x" as an unrecognized token 'x'
            String rest = text.substring((int) parser.currentLocation().getCharOffset()).strip();
            if (rest.startsWith("/") || rest.startsWith("#")) {
                throw new InvalidPolicyException("comments are not allowed in JSON", value);
            }
            if (!rest.isEmpty()) {
                throw new InvalidPolicyException("trailing content after the JSON value: '"
                        + PolicyText.printable(rest, 20) + "'", value);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidPolicyException(syntaxProblem(e, text), value);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a String cannot fail with I/O", e);
        }
    }

    private static String syntaxProblem(JsonProcessingException e, String text) {
        String message = e.getOriginalMessage();
        if (message.startsWith("Duplicate field ")) {
            return "duplicate " + message.substring("Duplicate ".length()) + "; each field may appear once";
        }
        // Jackson names '/' as a possible comment itself; '#' (YAML, shell) it does not
        if (message.contains("comment") || message.startsWith("Unexpected character ('#'")) {
            return "comments are not allowed in JSON";
        }
        if ("{[\"".indexOf(text.charAt(0)) < 0) {
            return "it is neither an integer nor a JSON object";
        }
        // Jackson's advice to enable a feature, and its source locations, are for programmers, not for whoever edits
        // the key
        String problem = message.replaceAll(": enable `[^`]*` to allow$", "")
                .replaceAll(" \\(start marker at .*\\)$", "");
        JsonLocation at = e.getLocation();
        return "malformed JSON at line %d, column %d: %s".formatted(at.getLineNr(), at.getColumnNr(), problem);
    }

    private static void rejectUnknownFields(JsonNode root, String value) {
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!FieldNames.ALL.contains(name)) {
                unknown.add("unknown field '" + PolicyText.printable(name, 40) + "'"
                        + FieldNames.closest(name).map(known -> " (did you mean '" + known + "'?)").orElse(""));
            }
        });
        if (!unknown.isEmpty()) {
            throw new InvalidPolicyException(String.join(", ", unknown) + "; the fields are "
                    + String.join(", ", FieldNames.ALL), value);
        }
    }

    private static OptionalInt intField(JsonNode root, String name, String value) {
        JsonNode node = root.get(name);
        if (node == null) {
            return OptionalInt.empty();
        }
        String problem;
        if (!node.isIntegralNumber()) {
            problem = node.isNumber()
                    ? "must be a whole number, without a fraction or exponent, got " + node
                    : "must be an integer, got " + kind(node) + hint(node);
        } else if (!node.canConvertToInt()) {
            problem = node + " exceeds the int range";
        } else if (node.intValue() < 0) {
            problem = node + " is negative";
        } else {
            return OptionalInt.of(node.intValue());
        }
        throw new InvalidPolicyException("'" + name + "' " + problem, value);
    }

    private static Optional<ScaleInOrder> order(JsonNode root, String value) {
        JsonNode node = root.get(FieldNames.SCALE_IN_ORDER);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new InvalidPolicyException("'scaleInOrder' must be a string, got " + kind(node), value);
        }
        return Optional.of(ScaleInOrder.fromWireName(node.textValue()).orElseThrow(() -> new InvalidPolicyException(
                "unknown scaleInOrder '" + PolicyText.printable(node.textValue(), 40) + "'; accepted: "
                        + ScaleInOrder.wireNames(),
                value)));
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + PolicyText.printable(node.textValue(), 20) + "\"";
            case BOOLEAN -> "the boolean " + node;
            case NULL -> "null";
            default -> "the value " + PolicyText.printable(node.toString(), 20);
        };
    }

    /** The usual slip of quoting a number gets a concrete fix. */
    private static String hint(JsonNode node) {
        return node.isTextual() && node.textValue().matches("\\d{1,9}")
                ? "; write " + node.textValue() + ", not \"" + node.textValue() + "\""
                : "";
    }
}
