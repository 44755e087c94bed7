package com.example.fleet.support;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;

import io.quarkus.vertx.runtime.jackson.QuarkusJacksonJsonCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x's JSON for trees (JsonObject, JsonArray, maps, lists, plain values) with Jackson's streaming parser and
 * generator only, and Quarkus' codec, with its object mapper, for everything else (objects mapped to and from
 * classes). Quarkus' own factory sends every JsonObject through the object mapper, so the first Consul answer of
 * the start would build it and load Jackson's databind: about 600 classes that nothing needs until a class is
 * mapped. Chosen over Quarkus' factory by its lower {@link #order()}.
 */
public class TreeJsonFactory implements JsonFactory {

    @Override
    public int order() {
        return 0;
    }

    @Override
    public JsonCodec codec() {
        return new TreeCodec();
    }

    static final class TreeCodec extends JacksonCodec {

        private static final Set<Class<?>> TREES = Set.of(Object.class, JsonObject.class, JsonArray.class, Map.class,
                List.class, String.class, Boolean.class, Integer.class, Long.class, Double.class, Float.class,
                Short.class, Byte.class, BigInteger.class, BigDecimal.class, Number.class);

        /** Quarkus' codec, created when a class is first mapped: it builds the object mapper from CDI. */
        private volatile JsonCodec mapping;

        @Override
        public <T> T fromString(String json, Class<T> type) throws DecodeException {
            return TREES.contains(type) ? super.fromString(json, type) : mapping().fromString(json, type);
        }

        @Override
        public <T> T fromString(String json, TypeReference<T> type) throws DecodeException {
            try {
                return QuarkusJacksonJsonCodec.mapper().readValue(json, type);
            } catch (IOException e) {
                throw new DecodeException("Failed to decode: " + e.getMessage(), e);
            }
        }

        @Override
        public <T> T fromBuffer(Buffer json, Class<T> type) throws DecodeException {
            return TREES.contains(type) ? super.fromBuffer(json, type) : mapping().fromBuffer(json, type);
        }

        @Override
        public <T> T fromBuffer(Buffer json, TypeReference<T> type) throws DecodeException {
            return fromString(json.toString(StandardCharsets.UTF_8), type);
        }

        @Override
        public <T> T fromValue(Object json, Class<T> type) {
            return mapping().fromValue(json, type);
        }

        @Override
        public <T> T fromValue(Object json, TypeReference<T> type) {
            return QuarkusJacksonJsonCodec.mapper().convertValue(json, type);
        }

        @Override
        public String toString(Object object, boolean pretty) throws EncodeException {
            try {
                return super.toString(object, pretty);
            } catch (EncodeException notATree) {
                return mapping().toString(object, pretty);
            }
        }

        @Override
        public Buffer toBuffer(Object object, boolean pretty) throws EncodeException {
            try {
                return super.toBuffer(object, pretty);
            } catch (EncodeException notATree) {
                return mapping().toBuffer(object, pretty);
            }
        }

        private JsonCodec mapping() {
            JsonCodec codec = mapping;
            if (codec == null) {
                codec = new QuarkusJacksonJsonCodec();
                mapping = codec;
            }
            return codec;
        }
    }
}
