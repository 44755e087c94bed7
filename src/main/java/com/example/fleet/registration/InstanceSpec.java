package com.example.fleet.registration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.ServiceWeight;
import com.example.fleet.load.LoadEndpoint;

import io.vertx.ext.consul.CheckOptions;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.ServiceOptions;

/**
 * What this instance registers: an ID that is unique per process (service name, address and port), the real
 * address and port, version/environment/weight as tags and Meta, a TTL check sent as passing and, optionally, an
 * HTTP check on the readiness endpoint.
 *
 * @param managementPort the port of the management interface, when it is enabled: published in Meta so that the
 *        scaling leader finds the load endpoint there
 * @param zone the zone it runs in ({@code fleet.zone}), published in Meta so that callers prefer their own zone
 */
public record InstanceSpec(String id, String serviceName, String address, int port, String version,
        String environment, int weight, List<String> extraTags, Duration ttl, Duration deregisterCriticalAfter,
        Optional<HttpCheck> httpCheck, OptionalInt managementPort, Optional<String> zone) {

    public record HttpCheck(String url, Duration interval) {
    }

    static final int MAX_PORT = 65535;

    public InstanceSpec {
        if (port < 1 || port > MAX_PORT) {
            // -1 is what the HTTP server answers before it knows the port it bound: never advertise that
            throw new IllegalArgumentException("the port to register in Consul must be 1-" + MAX_PORT + ", got " + port
                    + " (fleet.registration.port, else the port the HTTP server bound)");
        }
    }

    /**
     * The registration of this instance, with the configured port if any, else the one the server bound.
     *
     * @param managementPort the management interface's bound port, or a value ≤ 0 when it is disabled
     */
    public static InstanceSpec of(RegistrationSettings settings, String address, int boundPort, int managementPort,
            Optional<String> zone) {
        int port = settings.port().orElse(boundPort);
        Optional<HttpCheck> http = settings.httpCheck().enabled()
                ? Optional.of(new HttpCheck("http://" + hostForUrl(address) + ":" + port + settings.httpCheck().path(),
                        settings.httpCheck().interval()))
                : Optional.empty();
        return new InstanceSpec(instanceId(settings.serviceName(), address, port), settings.serviceName(), address, port,
                settings.version(), settings.environment(), settings.weight(), settings.tags().orElse(List.of()),
                settings.ttl(), settings.deregisterCriticalAfter(), http,
                managementPort > 0 ? OptionalInt.of(managementPort) : OptionalInt.empty(), zone);
    }

    /** name-address-port, with the characters Consul IDs and URLs dislike replaced. */
    static String instanceId(String serviceName, String address, int port) {
        return serviceName + "-" + address.replaceAll("[^A-Za-z0-9.]", "-") + "-" + port;
    }

    /** The ACL permission that registering, heartbeats and leaving need, for messages. */
    public String writePermission() {
        return "service:write on \"" + serviceName + "\"";
    }

    public String ttlCheckId() {
        return HealthEntry.heartbeatCheckId(id);
    }

    public String httpCheckId() {
        return id + ":http";
    }

    /** Heartbeats every TTL/3 so two may be lost before the check turns critical. */
    public Duration heartbeatInterval() {
        return ttl.dividedBy(3);
    }

    public List<String> tags() {
        List<String> tags = new ArrayList<>(List.of("version=" + version, "env=" + environment,
                ServiceWeight.META_KEY + "=" + weight));
        tags.addAll(extraTags);
        return tags;
    }

    public Map<String, String> meta() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("version", version);
        meta.put("environment", environment);
        meta.put(ServiceWeight.META_KEY, Integer.toString(weight));
        managementPort.ifPresent(management -> meta.put(LoadEndpoint.MANAGEMENT_PORT_META, Integer.toString(management)));
        zone.ifPresent(name -> meta.put(HealthEntry.ZONE_META, name));
        return meta;
    }

    public ServiceOptions toServiceOptions() {
        List<CheckOptions> checks = new ArrayList<>();
        checks.add(new CheckOptions()
                .setId(ttlCheckId())
                .setName("heartbeat of " + id)
                .setTtl(ttl.toMillis() + "ms")
                .setStatus(CheckStatus.PASSING)
                .setDeregisterAfter(deregisterCriticalAfter.toSeconds() + "s"));
        httpCheck.ifPresent(http -> checks.add(new CheckOptions()
                .setId(httpCheckId())
                .setName("readiness of " + id)
                .setHttp(http.url())
                .setInterval(http.interval().toMillis() + "ms")
                .setDeregisterAfter(deregisterCriticalAfter.toSeconds() + "s")));
        return new ServiceOptions()
                .setId(id)
                .setName(serviceName)
                .setAddress(address)
                .setPort(port)
                .setTags(tags())
                .setMeta(meta())
                .setCheckListOptions(checks);
    }

    private static String hostForUrl(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
