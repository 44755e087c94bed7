package com.example.fleet.scaling.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

class AuditTrailTest {

    private static JsonObject line(String event) {
        return new JsonObject().put("time", "2026-12-01T10:00:00Z").put("event", event).put("old", null)
                .put("reason", "because");
    }

    private static AuditTrail stored(AuditTrail trail) {
        return AuditTrail.parse(trail.encode().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLastFiftyEventsOldestFirstAndListsTheNewestFirst() {
        List<JsonObject> sixty = IntStream.range(0, 60).mapToObj(i -> line("event-" + i)).toList();

        AuditTrail trail = stored(AuditTrail.empty().append(sixty.subList(0, 30)).append(sixty.subList(30, 60)));

        assertThat(trail.problem()).isEmpty();
        assertThat(trail.events()).hasSize(AuditTrail.CAPACITY);
        assertThat(trail.events().get(0).getString("event")).isEqualTo("event-10");
        assertThat(trail.newestFirst(3)).extracting(event -> event.getString("event"))
                .containsExactly("event-59", "event-58", "event-57");
        assertThat(trail.newestFirst(500)).hasSize(AuditTrail.CAPACITY);
        assertThat(trail.events().get(0).containsKey("old")).as("a null field stays").isTrue();
    }

    @Test
    void cutsLongTextsSoThatAFullTrailStaysFarBelowConsulsLimit() {
        JsonObject huge = line("victims-chosen").put("reason", "x".repeat(100_000));

        AuditTrail full = AuditTrail.empty().append(IntStream.range(0, 60).mapToObj(i -> huge).toList());

        assertThat(full.events().get(0).getString("reason")).hasSize(AuditTrail.MAX_FIELD_CHARS).endsWith("…");
        assertThat(full.encode().getBytes(StandardCharsets.UTF_8).length).isLessThan(AuditTrail.MAX_STORED_BYTES)
                .isLessThan(512 * 1024);
        assertThat(stored(full).events()).hasSize(AuditTrail.CAPACITY);
    }

    @Test
    void anEmptyValueIsAnEmptyTrail() {
        assertThat(AuditTrail.parse(new byte[0])).isEqualTo(AuditTrail.empty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "not json", "{\"event\":\"x\"}", "null", "\"text\"", "42", "[{\"event\":\"cut", "[" })
    void aValueThatIsNoArrayOfEventsReadsAsNoEventsAndSaysItIsReplaced(String value) {
        AuditTrail trail = AuditTrail.parse(value.getBytes(StandardCharsets.UTF_8));

        assertThat(trail.events()).isEmpty();
        assertThat(trail.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .contains("not a JSON array of audit events").contains("the next audit event replaces it"));
    }

    @Test
    void entriesThatAreNoEventsAreLeftOutAndCounted() {
        AuditTrail trail = AuditTrail.parse(
                "[1, {\"event\":\"leader-acquired\"}, {\"event\":7}, \"x\", {\"no\":\"event\"}]".getBytes(
                        StandardCharsets.UTF_8));

        assertThat(trail.events()).extracting(event -> event.getString("event")).containsExactly("leader-acquired");
        assertThat(trail.problem()).hasValue("left out 4 entries that are not audit events");
    }

    @Test
    void binaryOrOversizedValuesAreNotRead() {
        byte[] binary = { (byte) 0xff, (byte) 0xfe, '[', ']' };
        byte[] oversized = ("[" + "{\"event\":\"e\"},".repeat(30_000) + "{\"event\":\"e\"}]")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(AuditTrail.parse(binary).problem()).hasValueSatisfying(p -> assertThat(p).contains("not UTF-8"));
        assertThat(AuditTrail.parse(oversized).problem()).hasValueSatisfying(p -> assertThat(p)
                .contains(oversized.length + " bytes"));
        assertThat(AuditTrail.parse(oversized).events()).isEmpty();
    }

    @Test
    void appendingToAnUnreadableTrailKeepsOnlyTheNewEvents() {
        AuditTrail unreadable = AuditTrail.parse("garbage".getBytes(StandardCharsets.UTF_8));

        AuditTrail replaced = stored(unreadable.append(List.of(line("policy-changed"))));

        assertThat(replaced.problem()).isEmpty();
        assertThat(replaced.events()).extracting(event -> event.getString("event")).containsExactly("policy-changed");
    }
}
