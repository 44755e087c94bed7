package com.example.fleet.bench;

import java.time.Duration;

/** Benchmarks measure over wall-clock time; tests never pause like this. */
final class WallClock {

    private WallClock() {
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
