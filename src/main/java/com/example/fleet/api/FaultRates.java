package com.example.fleet.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The shares of sample calls answered 503 ({@code failure}) and left unanswered ({@code hang}), each from 0 to 1
 * and together at most 1: one random number per call picks failure, hang or a normal answer, so each share is
 * exactly what it says.
 */
record FaultRates(double failure, double hang) {

    static final FaultRates NONE = new FaultRates(0, 0);

    /** What one call gets. */
    enum Fault {
        NONE,
        FAIL,
        HANG
    }

    FaultRates {
        List<String> problems = problems(failure, "failure", hang, "hang");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * The fault of a call whose random number is {@code random}, from 0 (inclusive) to 1 (exclusive): below
     * {@code failure} it fails, in the next {@code hang} it hangs.
     */
    Fault draw(double random) {
        if (random < failure) {
            return Fault.FAIL;
        }
        return random < failure + hang ? Fault.HANG : Fault.NONE;
    }

    boolean none() {
        return failure == 0 && hang == 0;
    }

    /** What is wrong with these rates, each problem naming the setting (or field) and its value; empty if nothing. */
    static List<String> problems(double failure, String failureName, double hang, String hangName) {
        List<String> problems = new ArrayList<>();
        requireShare(failure, failureName, problems);
        requireShare(hang, hangName, problems);
        if (problems.isEmpty() && failure + hang > 1) {
            problems.add(failureName + " (" + failure + ") and " + hangName + " (" + hang
                    + ") together exceed 1: they are shares of the same calls");
        }
        return problems;
    }

    private static void requireShare(double rate, String name, List<String> problems) {
        // written so that NaN fails too
        if (!(rate >= 0 && rate <= 1)) {
            problems.add(name + ": " + rate + " is not a share from 0 to 1 (0.25 is one call in four)");
        }
    }
}
