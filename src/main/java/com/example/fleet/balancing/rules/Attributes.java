package com.example.fleet.balancing.rules;

import java.time.Duration;

import com.example.fleet.support.PositiveDuration;

/** Reads peak-ewma attribute values; a bad one fails with an error naming the attribute. */
final class Attributes {

    private static final PositiveDuration DURATIONS = new PositiveDuration();
    // Stork passes no service name to load balancers, so the error can only name the attribute
    private static final String PREFIX = "peak-ewma load-balancer attribute ";

    private Attributes() {
    }

    static Duration positiveDuration(String attribute, String value) {
        return DURATIONS.convert(value, PREFIX + attribute);
    }

    static int atLeast(int min, String attribute, String value) {
        return wholeNumber(attribute, value, min, Integer.MAX_VALUE, "a whole number of at least " + min);
    }

    static int percent(String attribute, String value) {
        return wholeNumber(attribute, value, 0, 100, "a whole number from 0 to 100");
    }

    static IllegalArgumentException invalid(String attribute, String problem) {
        return new IllegalArgumentException(PREFIX + attribute + ": " + problem);
    }

    private static int wholeNumber(String attribute, String value, int min, int max, String expected) {
        int number;
        try {
            number = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(attribute, "'" + value + "' is not " + expected);
        }
        if (number < min || number > max) {
            throw invalid(attribute, "'" + value + "' must be " + expected);
        }
        return number;
    }
}
