package com.example.fleet.scaling.audit;

/**
 * Whether this instance leads its fleet: only the leader writes the fleet's trail. The election provides it; the
 * audit package names what it needs instead of depending on the election, which audits through it.
 */
public interface LeaderStatus {

    boolean isLeader();
}
