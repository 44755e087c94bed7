package com.example.fleet.scaling.actuation;

import java.util.List;

/**
 * The names {@value #PROPERTY} accepts, exactly (no case folding): the actuator beans are looked up by the raw
 * text of the property ({@code @LookupIfProperty}), so a name checked here always finds its bean.
 */
public final class ActuatorName {

    public static final String PROPERTY = "fleet.scaling.actuator";
    /** The build property without which the kubernetes actuator is not in the application. */
    public static final String BUILD_SWITCH = "fleet.kubernetes";
    public static final String NONE = "none";
    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";
    public static final List<String> ACCEPTED = List.of(NONE, LOCAL, KUBERNETES);

    private ActuatorName() {
    }
}
