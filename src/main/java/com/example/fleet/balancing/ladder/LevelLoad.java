package com.example.fleet.balancing.ladder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One level of a caller's ladder of failure domains (own zone, rest of the own datacenter, each failover
 * datacenter), as the peak-ewma balancer routes to it now.
 *
 * @param name the zone or datacenter, e.g. {@code zone a}, {@code other zones}, {@code datacenter dc2}
 * @param instances its candidates
 * @param healthy those neither ejected nor failing
 * @param healthPercent the health routing goes by: a rise counts only after the level hold-down
 * @param trafficPercent the share of calls it gets
 */
@RegisterForReflection
public record LevelLoad(String name, int instances, int healthy, double healthPercent, double trafficPercent) {
}
