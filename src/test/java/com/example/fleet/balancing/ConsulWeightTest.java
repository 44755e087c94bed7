package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsulWeightTest {

    @Test
    void theWeightComesFromTheMetaKeyWeight() {
        assertThat(ConsulWeight.of(instance(1, Map.of("weight", "3")))).isEqualTo(3);
        assertThat(ConsulWeight.of(instance(1, Map.of("weight", "1000")))).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-2", "1001", "heavy", "", "2.5" })
    void invalidWeightsCountAsOne(String weight) {
        assertThat(ConsulWeight.of(instance(1, Map.of("weight", weight)))).isEqualTo(1);
    }

    @Test
    void noWeightCountsAsOne() {
        assertThat(ConsulWeight.of(instance(1))).isEqualTo(1);
    }
}
