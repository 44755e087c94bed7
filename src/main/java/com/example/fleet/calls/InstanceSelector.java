package com.example.fleet.calls;

import java.util.Collection;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.smallrye.stork.api.ServiceInstance;

/** Where tries go: the instances known now, and the balancer's pick among some of them (Stork's, outside tests). */
interface InstanceSelector {

    Uni<List<ServiceInstance>> instances();

    /** Picks one of {@code candidates} and records the start of a call to it, so that the balancer sees it. */
    ServiceInstance selectAndRecordStart(Collection<ServiceInstance> candidates);
}
