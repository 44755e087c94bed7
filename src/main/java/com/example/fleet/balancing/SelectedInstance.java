package com.example.fleet.balancing;

import com.example.fleet.support.ProbeCall;

import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.ServiceInstanceWithStatGathering;

/** The instance a selection picked, with the recorder of its call, which knows whether the call is a probe. */
final class SelectedInstance extends ServiceInstanceWithStatGathering implements ProbeCall {

    private final CallRecorder call;

    SelectedInstance(ServiceInstance instance, CallRecorder call) {
        super(instance, call);
        this.call = call;
    }

    @Override
    public boolean isProbe() {
        return call.probe();
    }
}
