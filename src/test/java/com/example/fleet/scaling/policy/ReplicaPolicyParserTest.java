package com.example.fleet.scaling.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicaPolicyParserTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                // not text, or no value
                arguments("", "it is empty"),
                arguments(" \n\t ", "it is blank"),
                arguments("3\u0000", "control character U+0000 at char 1"),
                arguments("\u00073", "control character U+0007 at char 0"),
                arguments("\uFEFF3", "byte order mark"),
                arguments("3\uFFFD", "U+FFFD at char 1"),
                // bare numbers that are not a plain non-negative int
                arguments("three", "neither an integer nor a JSON object"),
                arguments("3x", "neither an integer nor a JSON object"),
                arguments("3 4", "neither an integer nor a JSON object"),
                arguments("-1", "replicas -1 is negative"),
                arguments("3.5", "replicas 3.5 is fractional"),
                arguments("3.", "is fractional"),
                arguments("1e3", "replicas 1e3 has an exponent"),
                arguments("+3", "leading '+' is not allowed; write 3"),
                arguments("007", "replicas 007 has leading zeros"),
                arguments("2147483648", "replicas 2147483648 exceeds the int range"),
                arguments("99999999999999999999", "exceeds the int range"),
                arguments("0", "replicas 0 needs an explicit \"min\":0"),
                arguments("101", "replicas 101 is above max 100 (min defaults to 1, max defaults to 100)"),
                // JSON that is not an object
                arguments("[3]", "it is an array, not an integer or a JSON object"),
                arguments("\"3\"", "it is the string \"3\", not an integer or a JSON object; write 3, not \"3\""),
                arguments("\"three\"", "it is the string \"three\", not an integer or a JSON object"),
                arguments("null", "it is null, not an integer"),
                arguments("true", "it is the boolean true"),
                // fields
                arguments("{}", "missing required field 'replicas'"),
                arguments("{\"min\":1,\"max\":5}", "missing required field 'replicas'"),
                arguments("{\"replica\":3}", "unknown field 'replica' (did you mean 'replicas'?)"),
                arguments("{\"Replicas\":3}", "unknown field 'Replicas' (did you mean 'replicas'?)"),
                arguments("{\"replicas\":3,\"scale_in_order\":\"lowest-load\"}", "(did you mean 'scaleInOrder'?)"),
                arguments("{\"replicas\":3,\"color\":\"red\"}",
                        "unknown field 'color'; the fields are replicas, min, max, scaleInOrder"),
                arguments("{\"replicas\":3,\"extra\":1,\"mx\":2}",
                        "unknown field 'extra', unknown field 'mx' (did you mean 'max'?)"),
                // wrong types
                arguments("{\"replicas\":\"3\"}",
                        "'replicas' must be an integer, got the string \"3\"; write 3, not \"3\""),
                arguments("{\"replicas\":true}", "'replicas' must be an integer, got the boolean true"),
                arguments("{\"replicas\":null}", "'replicas' must be an integer, got null"),
                arguments("{\"replicas\":{\"n\":3}}", "'replicas' must be an integer, got an object"),
                arguments("{\"replicas\":[3]}", "'replicas' must be an integer, got an array"),
                arguments("{\"replicas\":3.0}",
                        "'replicas' must be a whole number, without a fraction or exponent, got 3.0"),
                arguments("{\"replicas\":1e3}", "'replicas' must be a whole number, without a fraction or exponent"),
                arguments("{\"replicas\":-2}", "'replicas' -2 is negative"),
                arguments("{\"replicas\":3,\"min\":-1}", "'min' -1 is negative"),
                arguments("{\"replicas\":3000000000}", "'replicas' 3000000000 exceeds the int range"),
                arguments("{\"replicas\":3,\"max\":\"10\"}",
                        "'max' must be an integer, got the string \"10\"; write 10"),
                // bounds
                arguments("{\"replicas\":0}",
                        "replicas 0 needs an explicit \"min\":0, e.g. {\"replicas\":0,\"min\":0}"),
                arguments("{\"replicas\":3,\"min\":5,\"max\":4}", "min 5 is greater than max 4"),
                arguments("{\"replicas\":1,\"min\":2}", "replicas 1 is below min 2 (max defaults to 100)"),
                arguments("{\"replicas\":11,\"max\":10}", "replicas 11 is above max 10 (min defaults to 1)"),
                arguments("{\"replicas\":3,\"max\":1001}", "max 1001 is above the hard ceiling of 1000"),
                // scale-in order
                arguments("{\"replicas\":3,\"scaleInOrder\":\"random\"}",
                        "unknown scaleInOrder 'random'; accepted: least-recently-requested, lowest-load"),
                arguments("{\"replicas\":3,\"scaleInOrder\":\"LOWEST_LOAD\"}", "unknown scaleInOrder 'LOWEST_LOAD'"),
                arguments("{\"replicas\":3,\"scaleInOrder\":2}", "'scaleInOrder' must be a string, got the value 2"),
                arguments("{\"replicas\":3,\"scaleInOrder\":null}", "'scaleInOrder' must be a string, got null"),
                // JSON syntax
                arguments("{\"replicas\":1,\"replicas\":2}", "duplicate field 'replicas'"),
                arguments("{\"replicas\":3} x", "trailing content after the JSON value: 'x'"),
                arguments("{\"replicas\":3}{\"replicas\":4}",
                        "trailing content after the JSON value: '{\"replicas\":4}'"),
                arguments("{\"replicas\":3} // three", "comments are not allowed"),
                arguments("{\"replicas\":3 /* three */}", "comments are not allowed"),
                arguments("// three\n3", "comments are not allowed"),
                arguments("# three\n3", "comments are not allowed"),
                arguments("{\"replicas\":03}", "malformed JSON at line 1, column"),
                arguments("{\"replicas\":+3}", "malformed JSON"),
                arguments("{\"replicas\":NaN}", "malformed JSON"),
                arguments("{'replicas':3}", "malformed JSON"),
                arguments("{replicas:3}", "malformed JSON"),
                arguments("{\"replicas\":3,}", "malformed JSON"),
                arguments("{\"replicas\":3", "malformed JSON at line 1, column 14: Unexpected end-of-input"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void rejectsWithAPreciseReason(String value, String reason) {
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(value))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageStartingWith("invalid replica policy: ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"replicas\":NaN}", "{\"replicas\":+3}", "{\"replicas\":3" })
    void keepsJacksonAdviceForProgrammersOutOfTheMessage(String value) {
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(value))
                .hasMessageContaining("malformed JSON")
                .hasMessageNotContaining("enable")
                .hasMessageNotContaining("Source:");
    }

    @Test
    void quotesTheValuePrintableAndTruncated() {
        assertThatThrownBy(() -> ReplicaPolicyParser.parse("{\"replica\":3}"))
                .hasMessageEndingWith("; value: '{\"replica\":3}'");
        assertThatThrownBy(() -> ReplicaPolicyParser.parse("3\u0007\n"))
                .hasMessageEndingWith("; value: '3\\u0007\\n'");
        String longValue = "{\"replicas\":3,\"note\":\"" + "x".repeat(500) + "\"}";
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(longValue))
                .hasMessageEndingWith("; value: '{\"replicas\":3,\"note\":\"" + "x".repeat(78) + "...'");
    }

    @Test
    void rejectsBytesThatAreNotUtf8() {
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(new byte[] { '3', (byte) 0xFF }))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("not valid UTF-8 text: byte 0xFF at offset 1")
                .hasMessageEndingWith("value: '3\\uFFFD'");
        // an overlong encoding of '/' and a sequence cut short at the end
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(new byte[] { (byte) 0xC0, (byte) 0xAF }))
                .hasMessageContaining("byte 0xC0 at offset 0");
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(new byte[] { '3', (byte) 0xC3 }))
                .hasMessageContaining("byte 0xC3 at offset 1");
    }

    @Test
    void rejectsNullAsEmpty() {
        assertThatThrownBy(() -> ReplicaPolicyParser.parse((String) null)).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> ReplicaPolicyParser.parse((byte[]) null)).hasMessageContaining("it is empty");
    }

    @Test
    void acceptsUpTo4KiB() {
        byte[] atLimit = (" ".repeat(ReplicaPolicyParser.MAX_BYTES - 1) + "3").getBytes(UTF_8);
        assertThat(ReplicaPolicyParser.parse(atLimit).replicas()).isEqualTo(3);

        byte[] overLimit = Arrays.copyOf(atLimit, atLimit.length + 1);
        overLimit[overLimit.length - 1] = ' ';
        assertThatThrownBy(() -> ReplicaPolicyParser.parse(overLimit))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("too large: 4097 bytes, the limit is 4096 bytes (4 KiB)");
    }

    static Stream<Arguments> goodValues() {
        return Stream.of(
                arguments("3", new ReplicaPolicy(3, 1, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("  3 \n", new ReplicaPolicy(3, 1, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("\t100\r\n", new ReplicaPolicy(100, 1, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("{\"replicas\":3}", new ReplicaPolicy(3, 1, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("{\"replicas\":3,\"min\":1,\"max\":10,\"scaleInOrder\":\"least-recently-requested\"}",
                        new ReplicaPolicy(3, 1, 10, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("{\n  \"scaleInOrder\": \"lowest-load\",\n  \"replicas\": 5\n}\n",
                        new ReplicaPolicy(5, 1, 100, ScaleInOrder.LOWEST_LOAD)),
                arguments("{\"replicas\":0,\"min\":0}",
                        new ReplicaPolicy(0, 0, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("{\"replicas\":1000,\"max\":1000}",
                        new ReplicaPolicy(1000, 1, 1000, ScaleInOrder.LEAST_RECENTLY_REQUESTED)),
                arguments("{\"replicas\":2,\"min\":2,\"max\":2}",
                        new ReplicaPolicy(2, 2, 2, ScaleInOrder.LEAST_RECENTLY_REQUESTED)));
    }

    @ParameterizedTest
    @MethodSource("goodValues")
    void acceptsWellFormedPolicies(String value, ReplicaPolicy expected) {
        assertThat(ReplicaPolicyParser.parse(value)).isEqualTo(expected);
        assertThat(ReplicaPolicyParser.parse(value.getBytes(UTF_8))).isEqualTo(expected);
    }
}
