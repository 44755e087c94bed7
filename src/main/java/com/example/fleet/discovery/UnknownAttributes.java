package com.example.fleet.discovery;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.smallrye.stork.api.config.ServiceDiscoveryAttribute;

/**
 * Attributes consul-watch does not have: Stork hands over every property under {@code service-discovery}, and one
 * misspelt would otherwise be ignored without a word. The known ones are those the provider declares.
 */
final class UnknownAttributes {

    /** Given with the type by Quarkus, not an attribute. */
    private static final String TYPE = "type";
    /** A name this close to a known one is taken for a typo of it. */
    private static final int TYPO_DISTANCE = 2;

    private final Set<String> known;

    UnknownAttributes(Class<?> provider) {
        this.known = Stream.of(provider.getAnnotationsByType(ServiceDiscoveryAttribute.class))
                .map(ServiceDiscoveryAttribute::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** One warning per unknown attribute given, with the known name it is closest to, or all of them. */
    void report(GivenAttributes given, List<AttributeNotice> notices) {
        for (String name : given.names()) {
            if (known.contains(name) || name.equals(TYPE)) {
                continue;
            }
            String instead = closest(name).map(typo -> "did you mean " + given.property(typo) + "?")
                    .orElse("consul-watch has " + String.join(", ", known));
            notices.add(AttributeNotice.warning(name, given.property(name) + " is not an attribute of consul-watch"
                    + " and is ignored; " + instead));
        }
    }

    private Optional<String> closest(String name) {
        return known.stream().filter(candidate -> distance(name, candidate) <= TYPO_DISTANCE)
                .min(Comparator.comparingInt(candidate -> distance(name, candidate)));
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
