package com.example.fleet.scaling;

import java.util.List;

/** What changes the fleet once the leader decided. Implementations may block: they run on the reconciler thread. */
public interface Actuator {

    /** Starts {@code count} more instances. */
    void scaleOut(int count, String traceId);

    /** Makes the given instances leave: each leaves Consul, finishes its in-flight requests, then exits. */
    void scaleIn(List<FleetMember> victims, String traceId);

    /** The instances that run as far as this actuator can see, so that those missing from Consul are found. */
    List<RunningInstance> running();
}
