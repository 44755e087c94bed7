package com.example.fleet.scaling;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An instance that runs as far as the actuator can tell (a child process, a pod), with what Consul must show
 * for it: the address and port it registers with, where the actuator knows them.
 *
 * @param name how the actuator names it: a pod name, a child's log file
 * @param address the address it registers with; empty when it is this host's (local children)
 * @param port the port it registers with; empty when the actuator does not choose it (pods)
 * @param since when it started running
 */
public record RunningInstance(String name, Optional<String> address, OptionalInt port, Instant since) {

    /** Whether one of the registered instances is this one. */
    public boolean isAmong(List<FleetMember> registered) {
        return registered.stream().anyMatch(member -> address.map(member.address()::equals).orElse(true)
                && (port.isEmpty() || port.getAsInt() == member.port()));
    }
}
