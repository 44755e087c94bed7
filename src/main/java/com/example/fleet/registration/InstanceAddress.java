package com.example.fleet.registration;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Optional;

/** The address other instances use to reach this one. */
final class InstanceAddress {

    private InstanceAddress() {
    }

    /**
     * The configured address, else the HTTP host when it names one interface, else the first site-local IPv4
     * address of an interface that is up, else the loopback address.
     */
    static String advertised(Optional<String> configured, String httpHost) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return configured.get().strip();
        }
        if (!isWildcard(httpHost)) {
            try {
                return InetAddress.getByName(httpHost).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("quarkus.http.host '" + httpHost + "' does not resolve; set"
                        + " fleet.registration.address to the address other instances should use", e);
            }
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && address.isSiteLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through to loopback: a machine without interfaces can only be reached locally
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }


    private static boolean isWildcard(String host) {
        return host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }
}
