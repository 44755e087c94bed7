package com.example.fleet.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Vert.x's JSON in this application: trees through Jackson's streaming parser and generator, classes through the
 * object mapper, with the same results as a codec that maps everything.
 */
class TreeJsonFactoryTest {

    record Point(int x, String label) {
    }

    @Test
    void vertxUsesThisFactory() {
        assertThat(Json.CODEC).isInstanceOf(TreeJsonFactory.TreeCodec.class);
    }

    @Test
    void treesRoundTripWithTheirTypes() {
        JsonObject tree = new JsonObject().put("int", 1).put("long", 10_000_000_000L).put("double", 0.5)
                .put("bool", true).put("null", (Object) null).put("text", "a \"quoted\" é")
                .put("list", new JsonArray().add(1).add("two").add(new JsonObject().put("three", 3)))
                .put("at", Instant.parse("2026-12-07T12:00:00Z")).put("bytes", new byte[] { 1, 2, 3 });

        JsonObject read = new JsonObject(tree.encode());

        assertThat(read.getInteger("int")).isEqualTo(1);
        assertThat(read.getValue("long")).isEqualTo(10_000_000_000L);
        assertThat(read.getDouble("double")).isEqualTo(0.5);
        assertThat(read.getBoolean("bool")).isTrue();
        assertThat(read.containsKey("null")).isTrue();
        assertThat(read.getString("text")).isEqualTo("a \"quoted\" é");
        assertThat(read.getJsonArray("list").getJsonObject(2).getInteger("three")).isEqualTo(3);
        assertThat(read.getInstant("at")).isEqualTo(Instant.parse("2026-12-07T12:00:00Z"));
        assertThat(read.getBinary("bytes")).containsExactly(1, 2, 3);
        assertThat(new JsonArray("[1,\"a\",{\"b\":[]}]").getJsonObject(2).getJsonArray("b")).isEmpty();
    }

    @Test
    void classesAreMappedByTheObjectMapper() {
        assertThat(Json.encode(new Point(3, "p"))).isEqualTo("{\"x\":3,\"label\":\"p\"}");
        assertThat(new JsonObject().put("point", new Point(1, "q")).encode())
                .isEqualTo("{\"point\":{\"x\":1,\"label\":\"q\"}}");
        assertThat(Json.decodeValue("{\"x\":5,\"label\":\"r\"}", Point.class)).isEqualTo(new Point(5, "r"));
        assertThat(new JsonObject().put("x", 6).put("label", "s").mapTo(Point.class)).isEqualTo(new Point(6, "s"));
        assertThat(JsonObject.mapFrom(new Point(7, "t")).getInteger("x")).isEqualTo(7);
    }
}
