package com.example.fleet.registration;

import org.eclipse.microprofile.config.spi.Converter;

/** A relative weight between 1 and 1000. */
public class WeightConverter implements Converter<Integer> {

    static final int MAX = 1000;

    @Override
    public Integer convert(String value) {
        int weight;
        try {
            weight = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
        if (weight < 1 || weight > MAX) {
            throw new IllegalArgumentException("weight " + weight + " is outside 1-" + MAX);
        }
        return weight;
    }
}
