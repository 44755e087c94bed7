package com.example.fleet.scaling.policy;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.example.fleet.support.Typos;

/** The fields of the JSON policy, and the "did you mean" guess for a misspelt one. */
final class FieldNames {

    static final String REPLICAS = "replicas";
    static final String MIN = "min";
    static final String MAX = "max";
    static final String SCALE_IN_ORDER = "scaleInOrder";
    static final List<String> ALL = List.of(REPLICAS, MIN, MAX, SCALE_IN_ORDER);

    private FieldNames() {
    }

    /** The known field closest to {@code unknown}, ignoring case, '-' and '_' (so "scale_in_order" finds it). */
    static Optional<String> closest(String unknown) {
        return Typos.closest(unknown, ALL, name -> name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", ""));
    }
}
