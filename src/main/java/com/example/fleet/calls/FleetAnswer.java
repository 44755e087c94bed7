package com.example.fleet.calls;

/** What an instance answered (status below 500), and how many tries it took to get it. */
public record FleetAnswer(int status, String body, long instanceId, int attempts) {
}
