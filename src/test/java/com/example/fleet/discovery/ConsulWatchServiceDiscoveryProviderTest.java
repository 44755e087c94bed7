package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Attribute values that cannot work stop the discovery's creation with the attribute named; nothing is started. */
class ConsulWatchServiceDiscoveryProviderTest {

    private final ConsulWatchServiceDiscoveryProvider provider = new ConsulWatchServiceDiscoveryProvider();

    @ParameterizedTest
    @CsvSource({
            "wait, 11m, exceeds Consul's maximum wait of 10m",
            "wait, -1s, must be a positive duration",
            "min-interval, 0ms, must be a positive duration",
            "retry-max-delay, soon, is not a duration",
            "first-snapshot-timeout, 0s, must be a positive duration" })
    void aValueThatCannotWorkNamesTheAttribute(String attribute, String value, String problem) {
        ConsulWatchConfiguration config = new ConsulWatchConfiguration(Map.of(attribute, value));

        assertThatThrownBy(() -> provider.createServiceDiscovery(config, "svc", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quarkus.stork.svc.service-discovery." + attribute)
                .hasMessageContaining(problem);
    }
}
