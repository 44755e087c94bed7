package com.example.fleet.calls;

/** Every try of a call failed, or the one try of a call that may not be retried; says why no further try was made. */
public class FleetCallFailed extends RuntimeException {

    private final int attempts;

    FleetCallFailed(String service, int attempts, String lastFailure, String whyNoRetry) {
        this(service, attempts, lastFailure, whyNoRetry, "");
    }

    /** @param tried the instances tried, as host:port, so that the failure says where the call went */
    FleetCallFailed(String service, int attempts, String lastFailure, String whyNoRetry, String tried) {
        super("call to " + service + " failed after " + attempts + " attempt(s), last: " + lastFailure
                + "; not retried: " + whyNoRetry + (tried.isEmpty() ? "" : "; tried: " + tried), null, false, false);
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
