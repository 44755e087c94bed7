package com.example.fleet.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;


import io.vertx.core.json.JsonObject;

class LoadTrackerTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final LoadTracker load = new LoadTracker(clock, "q");

    @Test
    void countsInFlightAndLastRequest() {
        load.requestStarted();
        load.requestStarted();
        load.requestEnded();
        assertThat(load.inFlight()).isEqualTo(1);
        assertThat(load.lastRequestMillis()).isEqualTo(1_000_000);
    }

    @Test
    void rateCoversTheLastTenSecondsOnly() {
        for (int i = 0; i < 20; i++) {
            load.requestStarted();
        }
        assertThat(load.recentRate()).isEqualTo(2.0);
        now.addAndGet(5_000);
        load.requestStarted();
        assertThat(load.recentRate()).isEqualTo(2.1);
        now.addAndGet(6_000);
        assertThat(load.recentRate()).isEqualTo(0.1);
        now.addAndGet(60_000);
        assertThat(load.recentRate()).isZero();
    }

    @Test
    void noteIsCompactJsonThatReadsBack() {
        load.requestStarted();
        String note = load.current().toJson();
        assertThat(new JsonObject(note).fieldNames())
                .containsExactlyInAnyOrder("inFlight", "lastRequestMillis", "ratePerSecond");
        assertThat(LoadNote.parse(note)).contains(new LoadNote(1, 1_000_000, 0.1));
    }

    @Test
    void anythingButANoteReadsAsNoNote() {
        assertThat(LoadNote.parse(null)).isEmpty();
        assertThat(LoadNote.parse("TTL passed")).isEmpty();
        assertThat(LoadNote.parse("{\"inFlight\":")).isEmpty();
        assertThat(LoadNote.parse("{\"inFlight\":\"many\"}")).isEmpty();
    }
}
