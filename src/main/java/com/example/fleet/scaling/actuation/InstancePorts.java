package com.example.fleet.scaling.actuation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * The ports an instance started by the local actuator listens on, chosen by the leader so that it knows what Consul
 * must show. Each instance gets its own: inheriting the leader's would make it fail to bind (the HTTP port, the
 * management interface's when that is enabled) or give it the leader's instance ID (a registration port, set as an
 * option or as FLEET_REGISTRATION_PORT).
 */
record InstancePorts(int http, int management) {

    private static final Logger LOG = Logger.getLogger(InstancePorts.class);
    /** The system properties that give an instance these ports. */
    List<String> options() {
        return List.of("-Dquarkus.http.port=" + http, "-Dfleet.registration.port=" + http,
                "-Dquarkus.management.port=" + management);
    }

    /**
     * Ports free right now for {@code count} instances, held together until all are chosen so that no two are the
     * same. An instance that still loses one to another process exits, and the next reconcile replaces it.
     */
    static List<InstancePorts> free(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<InstancePorts> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ports.add(new InstancePorts(hold(held), hold(held)));
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for a new instance: " + e.getMessage(), e);
        } finally {
            held.forEach(InstancePorts::closeQuietly);
        }
    }

    private static int hold(List<ServerSocket> held) throws IOException {
        ServerSocket socket = new ServerSocket(0);
        held.add(socket);
        return socket.getLocalPort();
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing the probe socket of port %d", socket.getLocalPort());
        }
    }
}
