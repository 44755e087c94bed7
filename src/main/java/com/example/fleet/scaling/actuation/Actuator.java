package com.example.fleet.scaling.actuation;

import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.RunningInstance;
import java.util.List;

/**
 * What changes the fleet once the leader decided. One bean per value of {@value ActuatorName#PROPERTY}, chosen by
 * {@code @LookupIfProperty}. Implementations may block: they run on the reconciler thread.
 */
public interface Actuator {

    /** Starts {@code count} more instances. */
    void scaleOut(int count, String traceId);

    /** Makes the given instances leave: each leaves Consul, finishes its in-flight requests, then exits. */
    void scaleIn(List<FleetMember> victims, String traceId);

    /** The instances that run as far as this actuator can see, so that those missing from Consul are found. */
    List<RunningInstance> running();

    /**
     * Whether its actions change the fleet. One that only reports them gives Consul nothing to converge to, so
     * nothing is verified, and the same decision is audited once rather than at every reconcile.
     */
    default boolean changesTheFleet() {
        return true;
    }
}
