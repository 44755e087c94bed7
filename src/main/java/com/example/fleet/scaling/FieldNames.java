package com.example.fleet.scaling;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The fields of the JSON policy, and the "did you mean" guess for a misspelt one. */
final class FieldNames {

    static final String REPLICAS = "replicas";
    static final String MIN = "min";
    static final String MAX = "max";
    static final String SCALE_IN_ORDER = "scaleInOrder";
    static final List<String> ALL = List.of(REPLICAS, MIN, MAX, SCALE_IN_ORDER);

    /** Two edits catch the usual slips (a dropped letter, a swap) without pairing unrelated names. */
    private static final int MAX_DISTANCE = 2;

    private FieldNames() {
    }

    /** The known field closest to {@code unknown}, ignoring case, '-' and '_' (so "scale_in_order" finds it). */
    static Optional<String> closest(String unknown) {
        String key = normalize(unknown);
        return ALL.stream()
                .filter(known -> distance(key, normalize(known)) <= MAX_DISTANCE)
                .min(Comparator.comparingInt(known -> distance(key, normalize(known))));
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
