package com.example.fleet.scaling;

import java.util.List;

/**
 * The names {@value #PROPERTY} accepts, exactly (no case folding): the actuator beans are looked up by the raw
 * text of the property ({@code @LookupIfProperty}), so a name checked here always finds its bean.
 */
final class ActuatorName {

    static final String PROPERTY = "fleet.scaling.actuator";
    /** The build property without which the kubernetes actuator is not in the application. */
    static final String BUILD_SWITCH = "fleet.kubernetes";
    static final String NONE = "none";
    static final String LOCAL = "local";
    static final String KUBERNETES = "kubernetes";
    static final List<String> ACCEPTED = List.of(NONE, LOCAL, KUBERNETES);

    private ActuatorName() {
    }
}
