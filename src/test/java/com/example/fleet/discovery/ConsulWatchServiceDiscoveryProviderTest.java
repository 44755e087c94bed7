package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attribute values that cannot work, ours or Stork's, stop the discovery's creation with the attribute named; nothing
 * is started.
 */
class ConsulWatchServiceDiscoveryProviderTest {

    private final ConsulWatchServiceDiscoveryProvider provider = new ConsulWatchServiceDiscoveryProvider();

    @ParameterizedTest
    @CsvSource({
            "wait, 11m, exceeds Consul's maximum wait of 10m",
            "wait, -1s, must be a positive duration",
            "min-interval, 0ms, must be a positive duration",
            "retry-max-delay, soon, is not a duration",
            "first-snapshot-timeout, 0s, must be a positive duration",
            "accept-warning, yes, is neither true nor false",
            "use-health-checks, 0, is neither true nor false",
            "secure, on, is neither true nor false",
            "ssl, enabled, is neither true nor false",
            "verify-host, no, is neither true nor false",
            "consul-port, 0, is outside the port range 1-65535",
            "consul-port, 65536, is outside the port range 1-65535",
            "consul-port, eighty, is not a port number",
            "consul-host, http://consul:8500, is a URL: give the host alone, HTTPS with ssl=true",
            "consul-host, consul:8500, the port goes in consul-port",
            "trust-store-path, /no/such/truststore.jks, /no/such/truststore.jks does not exist or is not a file",
            "key-store-path, /no/such/keystore.p12, /no/such/keystore.p12 does not exist or is not a file" })
    void aValueThatCannotWorkNamesTheAttribute(String attribute, String value, String problem) {
        ConsulWatchConfiguration config = new ConsulWatchConfiguration(Map.of(attribute, value));

        assertThatThrownBy(() -> provider.createServiceDiscovery(config, "svc", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quarkus.stork.svc.service-discovery." + attribute)
                .hasMessageContaining(problem);
    }
}
