package com.example.fleet.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.json.JsonObject;

/**
 * Continuous load from a few threads against one URL: counts answers, failures (anything but 200, or no
 * answer) and which instance answered. Runs until stopped, and never longer than {@link #MAX_RUN}.
 */
public final class LoadDriver implements AutoCloseable {

    private static final Duration MAX_RUN = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong successes = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> answeredBy = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());

    private LoadDriver() {
    }

    public static LoadDriver start(URI target, int threads) {
        LoadDriver driver = new LoadDriver();
        Instant deadline = Instant.now().plus(MAX_RUN);
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(() -> {
                while (driver.running.get() && Instant.now().isBefore(deadline)) {
                    driver.send(request);
                }
            }, "load-" + i);
            worker.setDaemon(true);
            driver.workers.add(worker);
            worker.start();
        }
        return driver;
    }

    private void send(HttpRequest request) {
        try {
            long start = System.nanoTime();
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200) {
                latencies.add(System.nanoTime() - start);
                successes.incrementAndGet();
                answeredBy.computeIfAbsent(new JsonObject(answer.body()).getString("instance"), k -> new AtomicLong())
                        .incrementAndGet();
            } else {
                failures.add(answer.statusCode() + " " + answer.body());
            }
        } catch (Exception e) {
            failures.add(e.toString());
        }
    }

    public long successes() {
        return successes.get();
    }

    /** Latencies of the successful calls, in nanoseconds, in the order they ended; indexes are stable. */
    public List<Long> latencies(int from) {
        synchronized (latencies) {
            return List.copyOf(latencies.subList(from, latencies.size()));
        }
    }

    /** The failures, each described. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Answers per instance ID. */
    public Map<String, Long> answeredBy() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        answeredBy.forEach((id, count) -> counts.put(id, count.get()));
        return counts;
    }

    /** Stops sending and waits for requests in flight. */
    public void stop() {
        running.set(false);
        for (Thread worker : workers) {
            try {
                worker.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
