package com.example.fleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A plain HTTP view of a Consul agent, for tests to check what the application did. */
public final class ConsulApi {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final Optional<String> token;

    public ConsulApi(String address, Optional<String> token) {
        this.base = "http://" + address;
        this.token = token;
    }

    public ConsulApi(String address) {
        this(address, Optional.empty());
    }

    /** Services registered on this agent, by ID. */
    public JsonObject agentServices() {
        return new JsonObject(get("/v1/agent/services"));
    }

    /** Checks registered on this agent, by check ID. */
    public JsonObject agentChecks() {
        return new JsonObject(get("/v1/agent/checks"));
    }

    /** Status of one check ("passing", "critical", ...), empty when the agent does not know it. */
    public Optional<String> checkStatus(String checkId) {
        JsonObject check = agentChecks().getJsonObject(checkId);
        return Optional.ofNullable(check).map(c -> c.getString("Status"));
    }

    /**
     * The {@code X-Consul-Index} of {@code /v1/health/service/name}: what a watcher of the service blocks on, so
     * it moves whenever any watcher would wake up.
     */
    public long healthIndex(String service) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/health/service/" + service)).GET();
        token.ifPresent(t -> request.header("X-Consul-Token", t));
        try {
            HttpResponse<Void> answer = http.send(request.timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return Long.parseLong(answer.headers().firstValue("X-Consul-Index").orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Raft leader's server address ({@code host:port}) as this agent knows it; "" while there is none. */
    public String raftLeader() {
        return new JsonObject("{\"leader\":" + get("/v1/status/leader") + "}").getString("leader");
    }

    /** The agents this agent sees in its LAN gossip pool ({@code Status} 1 is alive). */
    public JsonArray members() {
        return new JsonArray(get("/v1/agent/members"));
    }

    /** Output of one check (what its last update wrote). */
    public Optional<String> checkOutput(String checkId) {
        return Optional.ofNullable(agentChecks().getJsonObject(checkId)).map(c -> c.getString("Output"));
    }

    /** /v1/health/service/name: every instance with its checks. */
    public JsonArray health(String service) {
        return new JsonArray(get("/v1/health/service/" + service));
    }

    /** Registers a service on the agent, as an instance of the application would. */
    public void register(JsonObject service) {
        send(HttpRequest.newBuilder(uri("/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(service.encode())));
    }

    public void deregister(String serviceId) {
        send(HttpRequest.newBuilder(uri("/v1/agent/service/deregister/" + serviceId))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** Sets a TTL check's status: pass, warn or fail. */
    public void ttl(String checkId, String status) {
        send(HttpRequest.newBuilder(uri("/v1/agent/check/" + status + "/" + checkId))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** The same with {@code note} as the check's output: a change Consul reports even when the status stays. */
    public void ttl(String checkId, String status, String note) {
        send(HttpRequest.newBuilder(uri("/v1/agent/check/" + status + "/" + checkId + "?note="
                + java.net.URLEncoder.encode(note, java.nio.charset.StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    public void putKey(String key, String value) {
        send(HttpRequest.newBuilder(uri("/v1/kv/" + key)).PUT(HttpRequest.BodyPublishers.ofString(value)));
    }

    public void putKey(String key, byte[] value) {
        send(HttpRequest.newBuilder(uri("/v1/kv/" + key)).PUT(HttpRequest.BodyPublishers.ofByteArray(value)));
    }

    /** A key's raw value, empty when the key does not exist. */
    public Optional<String> key(String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/kv/" + key + "?raw")).GET();
        token.ifPresent(t -> request.header("X-Consul-Token", t));
        try {
            HttpResponse<String> answer = http.send(request.timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 404) {
                return Optional.empty();
            }
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("Consul answered " + answer.statusCode() + ": " + answer.body());
            }
            return Optional.of(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void deleteKey(String key) {
        send(HttpRequest.newBuilder(uri("/v1/kv/" + key)).DELETE());
    }

    /** Creates an ACL policy (the API token must be a management token); returns its ID. */
    public String createPolicy(String name, String rules) {
        return new JsonObject(send(HttpRequest.newBuilder(uri("/v1/acl/policy")).PUT(HttpRequest.BodyPublishers
                .ofString(new JsonObject().put("Name", name).put("Rules", rules).encode())))).getString("ID");
    }

    /** Replaces the rules of the policy with this ID; tokens holding it get the new rules at once. */
    public void updatePolicy(String id, String name, String rules) {
        send(HttpRequest.newBuilder(uri("/v1/acl/policy/" + id)).PUT(HttpRequest.BodyPublishers
                .ofString(new JsonObject().put("Name", name).put("Rules", rules).encode())));
    }

    /** Creates a token holding the named policies; returns its secret, what CONSUL_HTTP_TOKEN takes. */
    public String createToken(String... policyNames) {
        JsonArray policies = new JsonArray();
        for (String name : policyNames) {
            policies.add(new JsonObject().put("Name", name));
        }
        return new JsonObject(send(HttpRequest.newBuilder(uri("/v1/acl/token")).PUT(HttpRequest.BodyPublishers
                .ofString(new JsonObject().put("Policies", policies).encode())))).getString("SecretID");
    }

    /** The datacenters this agent knows, its own and those it reaches over the WAN. */
    public JsonArray datacenters() {
        return new JsonArray(get("/v1/catalog/datacenters"));
    }

    /** Joins the agent's datacenter with the one whose server listens for WAN gossip at {@code serfWanAddress}. */
    public void joinWan(String serfWanAddress) {
        send(HttpRequest.newBuilder(uri("/v1/agent/join/" + serfWanAddress + "?wan=1"))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** The AccessorID of the token whose secret this client sends. */
    public String ownAccessorId() {
        return new JsonObject(get("/v1/acl/token/self")).getString("AccessorID");
    }

    /** Deletes a token (the API token must be a management token); Consul answers "ACL not found" to it afterwards. */
    public void deleteToken(String accessorId) {
        send(HttpRequest.newBuilder(uri("/v1/acl/token/" + accessorId)).DELETE());
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private String send(HttpRequest.Builder request) {
        token.ifPresent(t -> request.header("X-Consul-Token", t));
        try {
            HttpResponse<String> answer = http.send(request.timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("Consul answered " + answer.statusCode() + ": " + answer.body());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }
}
