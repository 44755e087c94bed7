package com.example.fleet.scaling;

import java.util.List;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * The value of {@value #PROPERTY}: exactly one of {@link #ACCEPTED}. The actuator beans are looked up by the raw
 * text of the property ({@code @LookupIfProperty}), so this converter accepts exactly their names (no case folding)
 * and a value it lets through always finds its bean.
 */
public class ActuatorName implements Converter<String> {

    public static final String PROPERTY = "fleet.scaling.actuator";
    public static final String NONE = "none";
    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";
    static final List<String> ACCEPTED = List.of(NONE, LOCAL, KUBERNETES);

    @Override
    public String convert(String value) {
        if (!ACCEPTED.contains(value)) {
            throw new IllegalArgumentException("'" + value + "' is not an actuator of " + PROPERTY + ": use one of "
                    + String.join(", ", ACCEPTED));
        }
        return value;
    }
}
