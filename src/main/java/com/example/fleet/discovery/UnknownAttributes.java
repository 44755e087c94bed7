package com.example.fleet.discovery;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.example.fleet.support.Typos;

import io.smallrye.stork.api.config.ServiceDiscoveryAttribute;

/**
 * Attributes consul-watch does not have: Stork hands over every property under {@code service-discovery}, and one
 * misspelt would otherwise be ignored without a word. The known ones are those the provider declares.
 */
final class UnknownAttributes {

    /** Given with the type by Quarkus, not an attribute. */
    private static final String TYPE = "type";

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
        return Typos.closest(name, known, UnaryOperator.identity());
    }
}
