package com.example.fleet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One raw blocking-query watcher on {@code /v1/health/service/<service>} over plain {@link HttpClient}, as any
 * Consul watcher works: {@code ?index=<last X-Consul-Index>&wait=5m}, again and again. Counts every return, the
 * returns that came with a new index, and the bytes of every answer body it read. Ends when closed.
 */
final class HealthWatcher implements AutoCloseable {

    private static final Duration WAIT = Duration.ofMinutes(5);
    /** Consul adds up to wait/16 of jitter. */
    private static final Duration READ_TIMEOUT = WAIT.plus(WAIT.dividedBy(16)).plusSeconds(10);

    /** Counters at one moment. */
    record Counts(long returns, long changes, long bytes, long index, long nanos) {

        /** What happened between {@code earlier} and this, per minute of wall-clock time. */
        Rates since(Counts earlier) {
            double minutes = (nanos - earlier.nanos) / 60e9;
            long changed = changes - earlier.changes;
            long returned = returns - earlier.returns;
            long read = bytes - earlier.bytes;
            return new Rates(changed / minutes, read / minutes, returned / minutes,
                    returned == 0 ? 0 : read / returned, index - earlier.index, minutes * 60);
        }
    }

    /** @param indexAdvance how far the X-Consul-Index moved over the window (not a rate) */
    record Rates(double changesPerMinute, double bytesPerMinute, double returnsPerMinute, long bytesPerAnswer,
            long indexAdvance, double seconds) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String url;
    private final Thread thread;
    private final AtomicLong returns = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long index;
    private volatile boolean running = true;
    private volatile CompletableFuture<?> inFlight;
    private volatile String lastProblem;

    private HealthWatcher(String agentAddress, String service, String extraQuery) {
        this.url = "http://" + agentAddress + "/v1/health/service/" + service + "?wait=" + WAIT.toSeconds() + "s"
                + extraQuery + "&index=";
        this.thread = new Thread(this::loop, "health-watcher-" + service);
        thread.setDaemon(true);
    }

    /** @param extraQuery appended to the query, such as {@code "&passing"} or {@code "&cached"}; "" for none */
    static HealthWatcher start(String agentAddress, String service, String extraQuery) {
        HealthWatcher watcher = new HealthWatcher(agentAddress, service, extraQuery);
        watcher.thread.start();
        return watcher;
    }

    Counts counts() {
        return new Counts(returns.get(), changes.get(), bytes.get(), index, System.nanoTime());
    }

    /** The index of the last answer read, 0 before the first. */
    long index() {
        return index;
    }

    /** The last error, if the loop met one. */
    String lastProblem() {
        return lastProblem;
    }

    private void loop() {
        long last = 0;
        while (running) {
            long started = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + last)).timeout(READ_TIMEOUT).build();
            try {
                CompletableFuture<HttpResponse<InputStream>> answer = http.sendAsync(request,
                        HttpResponse.BodyHandlers.ofInputStream());
                inFlight = answer;
                HttpResponse<InputStream> response = answer.get();
                long read = drain(response.body());
                long next = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
                returns.incrementAndGet();
                bytes.addAndGet(read);
                if (last != 0 && next != last) {
                    changes.incrementAndGet();
                }
                // Consul's rules: an index that goes backwards starts again from 0; never below 1 after the first
                boolean same = next == last;
                last = next < last ? 0 : Math.max(next, 1);
                index = next;
                if (same && System.nanoTime() - started < 5_000_000) {
                    // a blocking query that returned at once without news: do not spin
                    Thread.sleep(10);
                }
            } catch (InterruptedException | CancellationException e) {
                // closed: the query in flight was cancelled
                return;
            } catch (ExecutionException | IOException e) {
                lastProblem = e.toString();
                last = 0;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static long drain(InputStream body) throws IOException {
        try (body) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                total += n;
            }
            return total;
        }
    }

    @Override
    public void close() {
        running = false;
        CompletableFuture<?> pending = inFlight;
        if (pending != null) {
            pending.cancel(true);
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
