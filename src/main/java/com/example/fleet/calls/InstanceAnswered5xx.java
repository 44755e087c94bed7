package com.example.fleet.calls;

/** An instance answered with a server error: for the balancer a failed call, for the caller a reason to retry. */
final class InstanceAnswered5xx extends RuntimeException {

    InstanceAnswered5xx(String host, int port, int status) {
        super(host + ":" + port + " answered HTTP " + status, null, false, false);
    }
}
