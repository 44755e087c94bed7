package com.example.fleet.api;

/** A request parameter the sample API refuses: answered 400, naming the parameter, the value and what is allowed. */
public class BadParameter extends RuntimeException {

    /** The body of the 400. */
    public record Refusal(String error, String parameter, String value, String allowed) {
    }

    private final Refusal refusal;

    BadParameter(String parameter, String value, String allowed) {
        super("query parameter '" + parameter + "' is '" + value + "'; allowed: " + allowed, null, false, false);
        this.refusal = new Refusal(getMessage(), parameter, value, allowed);
    }

    Refusal refusal() {
        return refusal;
    }

    /**
     * A duration in whole milliseconds from 0 to {@code max}; absent means 0. The parameter arrives as text, so
     * that a value that is no number, or too large for one, gets this 400 rather than JAX-RS' 404.
     */
    static long millis(String raw, long max) {
        if (raw == null || raw.isEmpty()) {
            return 0;
        }
        String allowed = "whole milliseconds from 0 to " + max;
        long millis;
        try {
            millis = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new BadParameter("millis", raw, allowed);
        }
        if (millis < 0 || millis > max) {
            throw new BadParameter("millis", raw, allowed);
        }
        return millis;
    }

    /**
     * A whole number from {@code min} to {@code max}; absent means {@code absent}. Read from text like
     * {@link #millis}, for the same reason.
     */
    public static int wholeNumber(String parameter, String raw, int min, int max, int absent) {
        if (raw == null || raw.isEmpty()) {
            return absent;
        }
        String allowed = "whole numbers from " + min + " to " + max;
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below, like a number out of range
        }
        throw new BadParameter(parameter, raw, allowed);
    }
}
