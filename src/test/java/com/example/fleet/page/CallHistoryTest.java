package com.example.fleet.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;

class CallHistoryTest {

    private static final int LAST = CallHistory.BUCKETS - 1;

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final CallHistory history = new CallHistory(now::get);

    private static ServiceInstance instance(int port) {
        return new DefaultServiceInstance(port, "127.0.0.1", port, false, Map.of(), Metadata.empty());
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void later(long millis) {
        now.addAndGet(millis(millis));
    }

    @Test
    void countsAnswersAndFailuresPerInstanceWithTheMeanTimeOfTheAnswers() {
        history.tried(instance(8081), millis(10), true);
        history.tried(instance(8081), millis(30), true);
        history.tried(instance(8081), millis(900), false);
        history.tried(instance(8082), millis(5), true);

        CallHistory.Chart chart = history.chart();

        assertThat(chart.bucketSeconds()).isEqualTo(CallHistory.BUCKET.toSeconds());
        assertThat(chart.series()).extracting(CallHistory.Series::instance)
                .containsExactly("127.0.0.1:8081", "127.0.0.1:8082");
        CallHistory.Series first = chart.series().get(0);
        assertThat(first.answered()).hasSize(CallHistory.BUCKETS);
        assertThat(first.answered()[LAST]).isEqualTo(2);
        assertThat(first.failed()[LAST]).isEqualTo(1);
        assertThat(first.meanMillis()[LAST]).isEqualTo(20.0);
        assertThat(first.meanMillis()[LAST - 1]).isNull();
        assertThat(chart.series().get(1).meanMillis()[LAST]).isEqualTo(5.0);
    }

    @Test
    void bucketsMoveWithTimeAndTriesOlderThanTheWindowAreGone() {
        history.tried(instance(8081), millis(10), true);
        later(CallHistory.BUCKET.toMillis());
        history.tried(instance(8081), millis(10), true);
        history.tried(instance(8081), millis(10), true);

        assertThat(history.chart().series().get(0).answered()[LAST - 1]).isEqualTo(1);
        assertThat(history.chart().series().get(0).answered()[LAST]).isEqualTo(2);

        later(CallHistory.WINDOW.toMillis());
        assertThat(history.chart().series()).isEmpty();
        // the slot of a bucket a window old is reused, not added to
        history.tried(instance(8082), millis(10), true);
        assertThat(history.chart().series()).extracting(CallHistory.Series::instance).containsExactly("127.0.0.1:8082");
        assertThat(history.chart().series().get(0).answered()[LAST]).isEqualTo(1);
    }

    @Test
    void keepsTheInstancesTriedMostApartAndAddsUpTheRest() {
        for (int port = 1; port <= 12; port++) {
            for (int tries = 0; tries < port; tries++) {
                history.tried(instance(port), millis(port), true);
            }
        }

        CallHistory.Chart chart = history.chart();

        assertThat(chart.series()).hasSize(CallHistory.SERIES);
        assertThat(chart.series()).extracting(CallHistory.Series::instance).containsExactly("127.0.0.1:10",
                "127.0.0.1:11", "127.0.0.1:12", "127.0.0.1:6", "127.0.0.1:7", "127.0.0.1:8", "127.0.0.1:9",
                CallHistory.OTHERS);
        CallHistory.Series others = chart.series().get(CallHistory.SERIES - 1);
        // ports 1 to 5, each tried as often as its number, each try as long as its number in ms
        assertThat(others.answered()[LAST]).isEqualTo(15);
        assertThat(others.meanMillis()[LAST]).isEqualTo((1 + 4 + 9 + 16 + 25) / 15.0, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void noTriesNoSeries() {
        assertThat(history.chart().series()).isEmpty();
    }
}
