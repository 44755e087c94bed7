package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsulAddressTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1:8500, 127.0.0.1, 8500, false",
            "http://consul.local:8501, consul.local, 8501, false",
            "https://consul.local:8501/, consul.local, 8501, true",
            "HTTPS://10.0.0.1:443, 10.0.0.1, 443, true",
            "consul, consul, 8500, false",
            "[::1]:8500, ::1, 8500, false" })
    void acceptsWhatConsulHttpAddrAccepts(String value, String host, int port, boolean https) {
        ConsulAddress address = ConsulAddress.parse(value, "CONSUL_HTTP_ADDR");
        assertThat(address.host()).isEqualTo(host);
        assertThat(address.port()).isEqualTo(port);
        assertThat(address.https()).isEqualTo(https);
    }

    @Test
    void formatsIpv6ForUrls() {
        assertThat(ConsulAddress.parse("[::1]:8500", "x").baseUrl()).isEqualTo("http://[::1]:8500");
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://host:1", "host:99999", "host:0", "host:port", "http://host:1/v1", "user@host:1", " " })
    void rejectsWithTheSettingNamed(String value) {
        assertThatThrownBy(() -> ConsulAddress.parse(value, "fleet.consul.address"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fleet.consul.address");
    }
}
