package com.example.fleet.consul;

import com.example.fleet.consul.tls.JdkTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.HttpsURLConnection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * One request to an agent with the JDK's own {@link HttpURLConnection}: usable while configuration is being built,
 * before Vert.x and CDI exist, and in shutdown hooks. It starts no thread and, over plain HTTP, loads no TLS
 * classes; the connection is closed after each request. Answers are read with Jackson's streaming parser, not with
 * Vert.x's JSON, whose Quarkus codec would fix its object mapper before CDI can provide it. {@code /v1/status/leader}
 * needs no ACL token.
 */
public final class AgentProbe {

    private static final JsonFactory JSON = new JsonFactory();

    /** An answer of the agent. */
    public record Answer(int status, String body) {
    }

    private AgentProbe() {
    }

    /**
     * The leader's address as the agent reports it; empty when the agent answers but has no leader yet.
     *
     * @throws IOException when the agent cannot be reached or answers with an error
     */
    public static String leader(ConsulAddress agent, Duration timeout) throws IOException {
        return ok(agent, get(agent, "/v1/status/leader", Optional.empty(), timeout, Optional.empty())).replace("\"",
                "").strip();
    }

    /**
     * The IDs of the services registered in the agent, as its token (none: a dev agent) may see them.
     *
     * @throws IOException when the agent cannot be reached or answers with an error
     */
    public static Set<String> services(ConsulAddress agent, Duration timeout) throws IOException {
        String body = ok(agent, get(agent, "/v1/agent/services", Optional.empty(), timeout, Optional.empty()));
        Set<String> ids = new LinkedHashSet<>();
        try (JsonParser parser = JSON.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                ids.add(parser.currentName());
                parser.nextToken();
                parser.skipChildren();
            }
        }
        return ids;
    }

    /**
     * The {@code Key} and (base64) {@code Value} of each entry of a KV answer ({@code /v1/kv/...}), in order; a key
     * without a value maps to null.
     */
    public static Map<String, String> keyValues(String body) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_ARRAY);
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                String key = null;
                String value = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken token = parser.nextToken();
                    if (field.equals("Key")) {
                        key = parser.getValueAsString();
                    } else if (field.equals("Value") && token != JsonToken.VALUE_NULL) {
                        value = parser.getValueAsString();
                    } else {
                        parser.skipChildren();
                    }
                }
                if (key != null) {
                    entries.put(key, value);
                }
            }
        }
        return entries;
    }

    private static void expect(JsonToken found, JsonToken expected) throws IOException {
        if (found != expected) {
            throw new IOException("the agent's answer is not JSON of the expected form (" + found + ")");
        }
    }

    /**
     * GET {@code path} (with its query) on {@code agent}, with the ACL token if any, over {@code tls} when the
     * address is HTTPS.
     *
     * @throws IOException when the agent cannot be reached, or the TLS handshake fails
     */
    public static Answer get(ConsulAddress agent, String path, Optional<String> token, Duration timeout,
            Optional<JdkTls> tls) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(agent.baseUrl() + path).openConnection();
        try {
            if (connection instanceof HttpsURLConnection https && tls.isPresent()) {
                https.setSSLSocketFactory(tls.get().context().getSocketFactory());
                tls.get().hostnameVerifier().ifPresent(https::setHostnameVerifier);
            }
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setUseCaches(false);
            connection.setRequestProperty("Connection", "close");
            token.ifPresent(value -> connection.setRequestProperty("X-Consul-Token", value));
            int status = connection.getResponseCode();
            InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Answer(status, body == null ? "" : readAll(body));
        } finally {
            connection.disconnect();
        }
    }

    private static String ok(ConsulAddress agent, Answer answer) throws IOException {
        if (answer.status() != 200) {
            throw new IOException("HTTP " + answer.status() + " from " + agent.baseUrl());
        }
        return answer.body();
    }

    private static String readAll(InputStream body) throws IOException {
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Why the agent cannot be used, in a few words, for messages; never contains a token. */
    public static String describe(IOException failure) {
        String message = failure.getMessage();
        String kind = failure.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
