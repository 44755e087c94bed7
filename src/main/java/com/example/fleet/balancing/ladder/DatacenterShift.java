package com.example.fleet.balancing.ladder;

/**
 * A caller's calls to a service left its own datacenter in part or in whole ({@code left}), or all of them go to
 * it again: fired by the peak-ewma balancer of a service with failover datacenters.
 *
 * @param service the Consul service called
 * @param localPercent the share of calls its own datacenter gets now
 */
public record DatacenterShift(String service, boolean left, int localPercent) {
}
