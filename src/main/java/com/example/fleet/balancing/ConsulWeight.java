package com.example.fleet.balancing;

import io.smallrye.stork.api.ServiceInstance;

/** The relative weight an instance registered in its Consul Meta, 1 when absent or invalid. */
final class ConsulWeight {

    static final String LABEL = "weight";
    private static final int MAX = 1000;

    private ConsulWeight() {
    }

    static int of(ServiceInstance instance) {
        String value = instance.getLabels() == null ? null : instance.getLabels().get(LABEL);
        if (value == null) {
            return 1;
        }
        try {
            int weight = Integer.parseInt(value.strip());
            return weight >= 1 && weight <= MAX ? weight : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
