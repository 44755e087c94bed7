package com.example.fleet.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.json.JsonObject;

/**
 * Asks every instance whether it leads ({@code /api/fleet/leader}), ten times a second, in the background: counts
 * samples in which more than one instance led (a split brain) and changes of the leading instance. An instance
 * that does not answer counts as not leading. Runs until closed, and never longer than {@link #MAX_RUN}.
 */
public final class LeadershipSampler implements AutoCloseable {

    private static final Duration MAX_RUN = Duration.ofMinutes(5);
    private static final Duration PERIOD = Duration.ofMillis(100);

    private final List<AppInstance> instances;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger handOvers = new AtomicInteger();
    private final Thread sampler;
    private Optional<AppInstance> lastLeader = Optional.empty();

    private LeadershipSampler(List<AppInstance> instances) {
        this.instances = instances;
        this.sampler = new Thread(this::sample, "leadership-sampler");
        sampler.setDaemon(true);
    }

    public static LeadershipSampler start(AppInstance... instances) {
        LeadershipSampler sampler = new LeadershipSampler(List.of(instances));
        sampler.sampler.start();
        return sampler;
    }

    /** Samples in which two or more instances said they lead. */
    public int overlaps() {
        return overlaps.get();
    }

    /** How often the leading instance changed to another one (periods without a leader do not count). */
    public int handOvers() {
        return handOvers.get();
    }

    private void sample() {
        Instant deadline = Instant.now().plus(MAX_RUN);
        while (running.get() && Instant.now().isBefore(deadline)) {
            List<AppInstance> leading = instances.stream().filter(LeadershipSampler::leads).toList();
            if (leading.size() > 1) {
                overlaps.incrementAndGet();
            } else if (leading.size() == 1) {
                if (lastLeader.isPresent() && lastLeader.get() != leading.get(0)) {
                    handOvers.incrementAndGet();
                }
                lastLeader = Optional.of(leading.get(0));
            }
            try {
                Thread.sleep(PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static boolean leads(AppInstance instance) {
        try {
            var answer = instance.get("/api/fleet/leader");
            return answer.statusCode() == 200 && new JsonObject(answer.body()).getBoolean("leader");
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        sampler.interrupt();
        sampler.join(Duration.ofSeconds(30).toMillis());
    }
}
