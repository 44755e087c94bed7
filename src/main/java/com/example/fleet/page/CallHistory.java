package com.example.fleet.page;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import com.example.fleet.calls.TryObserver;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.stork.api.ServiceInstance;

/**
 * The tries of this instance's fleet calls over the last {@link #WINDOW}, in buckets of {@link #BUCKET}: per
 * instance how many it answered, how many failed, and how long its answers took. It records only while installed as
 * the calls' {@link TryObserver}, which the fleet page's feed does while a page is open; recording a try adds to a
 * few counters, and memory is one tally per instance tried per bucket. The chart keeps {@value #SERIES} instances
 * apart (those tried most) and adds up the rest, so its size does not grow with the fleet.
 */
final class CallHistory implements TryObserver {

    static final Duration BUCKET = Duration.ofSeconds(2);
    static final int BUCKETS = 90;
    static final Duration WINDOW = BUCKET.multipliedBy(BUCKETS);
    static final int SERIES = 8;
    static final String OTHERS = "others";

    /**
     * One line of the chart, oldest bucket first.
     *
     * @param instance {@code host:port}, or {@value CallHistory#OTHERS}
     * @param meanMillis mean time of the answered tries, null where there were none
     */
    @RegisterForReflection
    record Series(String instance, long[] answered, long[] failed, Double[] meanMillis) {
    }

    /** The chart: the last {@code buckets} buckets of {@code bucketSeconds}, one series per instance. */
    @RegisterForReflection
    record Chart(long bucketSeconds, int buckets, List<Series> series) {
    }

    private static final class Tally {
        final LongAdder answered = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder answeredNanos = new LongAdder();
    }

    private record Bucket(long number, Map<String, Tally> tallies) {
    }

    private final LongSupplier nanoClock;
    private final AtomicReferenceArray<Bucket> buckets = new AtomicReferenceArray<>(BUCKETS);

    /** @param nanoClock monotonic, {@code System::nanoTime} outside tests: the chart counts back from now */
    CallHistory(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public void tried(ServiceInstance instance, long nanos, boolean answered) {
        Tally tally = current().tallies().computeIfAbsent(instance.getHost() + ":" + instance.getPort(),
                key -> new Tally());
        if (answered) {
            tally.answered.increment();
            tally.answeredNanos.add(nanos);
        } else {
            tally.failed.increment();
        }
    }

    /** The last {@link #WINDOW}, oldest bucket first; no series when no try was recorded in it. */
    Chart chart() {
        long now = bucketNumber();
        List<Bucket> window = new ArrayList<>(BUCKETS);
        Map<String, Long> tries = new HashMap<>();
        for (long number = now - BUCKETS + 1; number <= now; number++) {
            Bucket bucket = buckets.get(slot(number));
            Bucket inWindow = bucket != null && bucket.number() == number ? bucket : null;
            window.add(inWindow);
            if (inWindow != null) {
                inWindow.tallies().forEach((instance, tally) -> tries.merge(instance,
                        tally.answered.sum() + tally.failed.sum(), Long::sum));
            }
        }
        List<String> apart = tries.entrySet().stream()
                .sorted(Map.Entry.<String, Long> comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(tries.size() > SERIES ? SERIES - 1 : SERIES).map(Map.Entry::getKey).sorted().toList();
        List<Series> series = new ArrayList<>();
        apart.forEach(instance -> series.add(series(instance, window, instance::equals)));
        if (tries.size() > apart.size()) {
            series.add(series(OTHERS, window, instance -> !apart.contains(instance)));
        }
        return new Chart(BUCKET.toSeconds(), BUCKETS, series);
    }

    private static Series series(String name, List<Bucket> window, Predicate<String> member) {
        long[] answered = new long[BUCKETS];
        long[] failed = new long[BUCKETS];
        Double[] meanMillis = new Double[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            Bucket bucket = window.get(i);
            if (bucket == null) {
                continue;
            }
            long nanos = 0;
            for (Map.Entry<String, Tally> entry : bucket.tallies().entrySet()) {
                if (member.test(entry.getKey())) {
                    answered[i] += entry.getValue().answered.sum();
                    failed[i] += entry.getValue().failed.sum();
                    nanos += entry.getValue().answeredNanos.sum();
                }
            }
            // a tenth of a millisecond is as fine as the chart shows
            meanMillis[i] = answered[i] == 0 ? null : Math.round(nanos / 100_000.0 / answered[i]) / 10.0;
        }
        return new Series(name, answered, failed, meanMillis);
    }

    /** The bucket of now, replacing the one that held the same slot a window ago. */
    private Bucket current() {
        long number = bucketNumber();
        int slot = slot(number);
        while (true) {
            Bucket bucket = buckets.get(slot);
            if (bucket != null && bucket.number() >= number) {
                return bucket;
            }
            Bucket fresh = new Bucket(number, new ConcurrentHashMap<>());
            if (buckets.compareAndSet(slot, bucket, fresh)) {
                return fresh;
            }
        }
    }

    private long bucketNumber() {
        return Math.floorDiv(nanoClock.getAsLong(), BUCKET.toNanos());
    }

    private static int slot(long number) {
        return (int) Math.floorMod(number, (long) BUCKETS);
    }
}
