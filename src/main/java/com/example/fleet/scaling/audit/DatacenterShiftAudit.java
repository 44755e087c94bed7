package com.example.fleet.scaling.audit;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import com.example.fleet.balancing.ladder.DatacenterShift;

/**
 * Audits calls leaving the own datacenter for a failover one, and coming back: events {@code calls-left-datacenter}
 * and {@code calls-returned-to-datacenter}, each with a trace id, in this instance's audit log.
 */
@ApplicationScoped
public class DatacenterShiftAudit {

    @Inject
    AuditLog audit;

    void onShift(@ObservesAsync DatacenterShift shift) {
        String local = shift.localPercent() + "% of calls to the own datacenter";
        if (shift.left()) {
            audit.record(audit.newTraceId(), "calls-left-datacenter", shift.service(), Optional.of("100%"),
                    Optional.of(shift.localPercent() + "%"), local + ": its instances are ejected or failing, the"
                            + " rest go to the failover datacenters");
        } else {
            audit.record(audit.newTraceId(), "calls-returned-to-datacenter", shift.service(), Optional.empty(),
                    Optional.of("100%"), local + ": its instances have been healthy for the level hold-down");
        }
    }
}
