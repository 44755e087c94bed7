package com.example.fleet.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes the TTL checks of fake entries from this JVM the way the application's heartbeat does: one
 * {@code PUT /v1/agent/check/pass/<check>} per check every interval, the checks spread evenly over the interval;
 * with {@link Note#CHANGING} each pass carries a load note that differs every time (the old heartbeat), with
 * {@link Note#NONE} no note at all (the new one). Stops when closed.
 */
final class FakeHeartbeats implements AutoCloseable {

    enum Note {
        NONE, CHANGING
    }

    private static final int THREADS = 3;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(THREADS, task -> {
        Thread thread = new Thread(task, "fake-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private final String base;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Note note;

    private FakeHeartbeats(String agentAddress, Note note) {
        this.base = "http://" + agentAddress + "/v1/agent/check/pass/";
        this.note = note;
    }

    static FakeHeartbeats start(String agentAddress, List<String> checkIds, Duration interval, Note note) {
        FakeHeartbeats beats = new FakeHeartbeats(agentAddress, note);
        long period = interval.toMillis();
        for (int i = 0; i < checkIds.size(); i++) {
            String check = checkIds.get(i);
            beats.timers.scheduleAtFixedRate(() -> beats.pass(check), period * i / checkIds.size(), period,
                    TimeUnit.MILLISECONDS);
        }
        return beats;
    }

    /** Changes what the next passes carry. */
    void note(Note next) {
        note = next;
    }

    long passes() {
        return passes.get();
    }

    long failures() {
        return failures.get();
    }

    private void pass(String checkId) {
        String query = note == Note.CHANGING ? "?note=" + URLEncoder.encode(changingNote(), StandardCharsets.UTF_8) : "";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + checkId + query))
                .PUT(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<Void> answer = http.send(request, HttpResponse.BodyHandlers.discarding());
            (answer.statusCode() == 200 ? passes : failures).incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // counted; a scheduled task that threw would never run again
            failures.incrementAndGet();
        }
    }

    /** A load note as the old heartbeat sent it: in-flight, time of the last request, rate. */
    private static String changingNote() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format(Locale.ROOT, "{\"inFlight\":%d,\"lastRequestMillis\":%d,\"ratePerSecond\":%.2f}",
                random.nextInt(0, 9), System.currentTimeMillis(), random.nextDouble(0, 50));
    }

    @Override
    public void close() {
        timers.shutdownNow();
        try {
            timers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
