package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceWeightTest {

    @Test
    void theWeightComesFromTheMetaKeyWeight() {
        assertThat(ServiceWeight.fromMeta(Map.of("weight", "3"))).isEqualTo(3);
        assertThat(ServiceWeight.fromMeta(Map.of("weight", " 1000 "))).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-2", "1001", "heavy", "", "2.5" })
    void anInvalidWeightIsRefusedWhereConfiguredAndCountsAsOneWhereRead(String weight) {
        assertThatThrownBy(() -> ServiceWeight.parse(weight)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(weight.isEmpty() ? "whole number" : weight);
        assertThat(ServiceWeight.fromMeta(Map.of("weight", weight))).isEqualTo(1);
    }

    @Test
    void noWeightCountsAsOne() {
        assertThat(ServiceWeight.fromMeta(Map.of())).isEqualTo(1);
        assertThat(ServiceWeight.fromMeta(null)).isEqualTo(1);
    }

    @Test
    void theRangeIsNamedInTheError() {
        assertThatThrownBy(() -> ServiceWeight.parse("1001")).hasMessage("weight 1001 is outside 1-1000");
    }
}
