package com.example.fleet.scaling.actuation;

import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.RunningInstance;
import com.example.fleet.scaling.ScalingSettings;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.arc.lookup.LookupIfProperty;

/** Actuator {@code none}, the default: the leader decides and audits, this logs what it would do, nothing changes. */
@ApplicationScoped
@LookupIfProperty(name = ActuatorName.PROPERTY, stringValue = ActuatorName.NONE, lookupIfMissing = true)
public class LogOnlyActuator implements Actuator {

    private static final Logger LOG = Logger.getLogger(LogOnlyActuator.class);

    @Inject
    ScalingSettings settings;

    @Override
    public void scaleOut(int count, String traceId) {
        LOG.infof("Actuator none: would start %d instance(s) of %s", count, settings.service());
    }

    @Override
    public void scaleIn(List<FleetMember> victims, String traceId) {
        LOG.infof("Actuator none: would remove %s", victims.stream().map(FleetMember::id).toList());
    }

    @Override
    public List<RunningInstance> running() {
        return List.of();
    }

    @Override
    public boolean changesTheFleet() {
        return false;
    }
}
