package com.example.fleet.consul;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import javax.net.ssl.SSLContext;

import io.vertx.core.json.JsonObject;

/**
 * Asks an agent who its leader is, or which services it holds, with the JDK's HTTP client: usable while
 * configuration is being built, before Vert.x exists, and in shutdown hooks. {@code /v1/status/leader} needs no
 * ACL token.
 */
public final class AgentProbe {

    /** One client for all probes: a JDK 17 client cannot be closed, and dev tooling polls often. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    private AgentProbe() {
    }

    /**
     * The leader's address as the agent reports it; empty when the agent answers but has no leader yet.
     *
     * @throws IOException when the agent cannot be reached or answers with an error
     */
    public static String leader(ConsulAddress agent, Duration timeout) throws IOException {
        return leader(HTTP, agent, timeout);
    }

    /** The same, over HTTPS with {@code tls} (the CA to trust). */
    public static String leader(ConsulAddress agent, Duration timeout, SSLContext tls) throws IOException {
        return leader(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .sslContext(tls).build(), agent, timeout);
    }

    private static String leader(HttpClient http, ConsulAddress agent, Duration timeout) throws IOException {
        return get(http, agent, "/v1/status/leader", timeout).replace("\"", "").strip();
    }

    /**
     * The IDs of the services registered in the agent, as its token (none: a dev agent) may see them.
     *
     * @throws IOException when the agent cannot be reached or answers with an error
     */
    public static Set<String> services(ConsulAddress agent, Duration timeout) throws IOException {
        return new JsonObject(get(HTTP, agent, "/v1/agent/services", timeout)).fieldNames();
    }

    private static String get(HttpClient http, ConsulAddress agent, String path, Duration timeout)
            throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(agent.baseUrl() + path)).timeout(timeout).build();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IOException("HTTP " + answer.statusCode() + " from " + agent.baseUrl());
            }
            return answer.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + agent.baseUrl(), e);
        }
    }

    /** Why the agent cannot be used, in a few words, for messages; never contains a token. */
    public static String describe(IOException failure) {
        String message = failure.getMessage();
        String kind = failure.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
