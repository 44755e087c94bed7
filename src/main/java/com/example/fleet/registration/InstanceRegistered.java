package com.example.fleet.registration;

/** Fired (asynchronously) each time this instance's registration in Consul is verified. */
public record InstanceRegistered(String instanceId, String serviceName) {
}
