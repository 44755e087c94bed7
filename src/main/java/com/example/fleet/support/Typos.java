package com.example.fleet.support;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The "did you mean" guess for a misspelt name among the names that exist. */
public final class Typos {

    /** Two edits catch the usual slips (a dropped letter, a swap) without pairing unrelated names. */
    private static final int MAX_DISTANCE = 2;

    private Typos() {
    }

    /**
     * The known name closest to {@code given}, both compared as {@code comparedAs} makes them, if at most two edits
     * apart.
     */
    public static Optional<String> closest(String given, Collection<String> known, UnaryOperator<String> comparedAs) {
        String key = comparedAs.apply(given);
        return known.stream().filter(candidate -> distance(key, comparedAs.apply(candidate)) <= MAX_DISTANCE)
                .min(Comparator.comparingInt(candidate -> distance(key, comparedAs.apply(candidate))));
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
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
