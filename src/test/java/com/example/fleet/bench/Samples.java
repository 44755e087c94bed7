package com.example.fleet.bench;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Measured values (milliseconds unless said otherwise), sorted, with nearest-rank percentiles. */
record Samples(List<Double> sorted) {

    static Samples of(Collection<Double> values) {
        return new Samples(values.stream().sorted().toList());
    }

    static Samples ofNanos(Collection<Long> nanos) {
        return of(nanos.stream().map(n -> n / 1e6).toList());
    }

    double at(double quantile) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, (int) Math.ceil(quantile * sorted.size()) - 1));
    }

    double median() {
        return at(0.50);
    }

    double p99() {
        return at(0.99);
    }

    double max() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
    }

    int count() {
        return sorted.size();
    }

    /** "p50 / p99 ms (max, n)". */
    String describe() {
        return String.format(Locale.ROOT, "%s / %s ms", millis(median()), millis(p99()));
    }

    String details() {
        return String.format(Locale.ROOT, "max %s ms, n=%d", millis(max()), count());
    }

    /** Three significant digits or so, whatever the size. */
    static String millis(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (value < 1) {
            return String.format(Locale.ROOT, "%.3f", value);
        }
        if (value < 10) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        if (value < 100) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }
}
