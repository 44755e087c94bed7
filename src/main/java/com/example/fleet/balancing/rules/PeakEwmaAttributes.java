package com.example.fleet.balancing.rules;

/**
 * The {@code peak-ewma} Stork attributes as text, defaults applied: what the configuration class that Stork
 * generates for the balancer's provider offers, under the same names.
 */
public interface PeakEwmaAttributes {

    String getDecayTime();

    String getDefaultRtt();

    String getErrorPenalty();

    String getEjectionCoolOff();

    String getProbeInterval();

    String getCallTimeout();

    String getLevelHoldDown();

    String getConsecutiveFailures();

    String getEjectionBase();

    String getMaxEjection();

    String getMaxEjectedPercent();

    String getPanicThreshold();
}
