package com.example.fleet.consul;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.Service;
import io.vertx.ext.consul.ServiceEntry;

/**
 * One entry of {@code /v1/health/service/<name>}, read by the rules that discovery, the scaling leader and the
 * fleet view share:
 * <ul>
 * <li>the address is the service's, or the node's when Consul leaves the service's empty;</li>
 * <li>the status aggregates every check of the entry, node checks included: passing when all pass, warning when
 * some warn and none is worse, critical otherwise (maintenance mode is a critical check);</li>
 * </ul>
 *
 * @param address where to call the instance
 */
public record HealthEntry(String serviceId, String node, String nodeAddress, String address, int port,
        List<String> tags, Map<String, String> meta, CheckStatus status) {

    /** Meta key of the zone an instance runs in ({@code fleet.zone}). */
    public static final String ZONE_META = "zone";

    private static final String HEARTBEAT_CHECK_SUFFIX = ":ttl";

    public HealthEntry {
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
    }

    /** The ID of the TTL check an instance keeps passing with its heartbeats. */
    public static String heartbeatCheckId(String serviceId) {
        return serviceId + HEARTBEAT_CHECK_SUFFIX;
    }

    public static HealthEntry of(ServiceEntry entry) {
        Service service = entry.getService();
        List<Check> checks = Optional.ofNullable(entry.getChecks()).orElse(List.of());
        String nodeAddress = entry.getNode() == null ? null : entry.getNode().getAddress();
        String address = service.getAddress() == null || service.getAddress().isBlank() ? nodeAddress
                : service.getAddress();
        return new HealthEntry(service.getId(), entry.getNode() == null ? null : entry.getNode().getName(),
                nodeAddress, address, service.getPort(), Optional.ofNullable(service.getTags()).orElse(List.of()),
                Optional.ofNullable(service.getMeta()).orElse(Map.of()), status(checks));
    }

    /** Passing when every check passes; warning when some warn and none is worse; else critical. */
    static CheckStatus status(List<Check> checks) {
        boolean warning = false;
        for (Check check : checks) {
            if (check.getStatus() == CheckStatus.WARNING) {
                warning = true;
            } else if (check.getStatus() != CheckStatus.PASSING) {
                return CheckStatus.CRITICAL;
            }
        }
        return warning ? CheckStatus.WARNING : CheckStatus.PASSING;
    }

    /** Every check passes: the instance takes traffic from any client and counts for the replica policy. */
    public boolean passing() {
        return status == CheckStatus.PASSING;
    }

    /** The weight it registered in its Meta. */
    public int weight() {
        return ServiceWeight.fromMeta(meta);
    }
}
