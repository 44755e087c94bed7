package com.example.fleet.scaling.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaPolicyTest {

    @Test
    void writesCanonicalJson() {
        assertThat(new ReplicaPolicy(3, 1, 10, ScaleInOrder.LOWEST_LOAD).toJson())
                .isEqualTo("{\"replicas\":3,\"min\":1,\"max\":10,\"scaleInOrder\":\"lowest-load\"}");
        assertThat(ReplicaPolicyParser.parse(" 3 ").toJson())
                .isEqualTo("{\"replicas\":3,\"min\":1,\"max\":100,\"scaleInOrder\":\"least-recently-requested\"}");
    }

    @Test
    void describesForLogs() {
        assertThat(new ReplicaPolicy(3, 1, 10, ScaleInOrder.LEAST_RECENTLY_REQUESTED).describe())
                .isEqualTo("replicas=3 min=1 max=10 scaleInOrder=least-recently-requested");
    }

    static Stream<ReplicaPolicy> policies() {
        return Stream.of(new ReplicaPolicy(3, 1, 100, ScaleInOrder.LEAST_RECENTLY_REQUESTED),
                new ReplicaPolicy(0, 0, 5, ScaleInOrder.LOWEST_LOAD),
                new ReplicaPolicy(0, 0, 0, ScaleInOrder.LEAST_RECENTLY_REQUESTED),
                new ReplicaPolicy(7, 2, 9, ScaleInOrder.LOWEST_LOAD),
                new ReplicaPolicy(1000, 1000, 1000, ScaleInOrder.LOWEST_LOAD));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void roundTripsThroughJson(ReplicaPolicy policy) {
        assertThat(ReplicaPolicyParser.parse(policy.toJson())).isEqualTo(policy);
    }

    @ParameterizedTest
    @EnumSource(ScaleInOrder.class)
    void eachOrderRoundTripsByWireName(ScaleInOrder order) {
        assertThat(ScaleInOrder.fromWireName(order.wireName())).contains(order);
        ReplicaPolicy policy = new ReplicaPolicy(4, 1, 8, order);
        assertThat(ReplicaPolicyParser.parse(policy.toJson())).isEqualTo(policy);
    }

    @Test
    void wireNamesAreTheDocumentedOnes() {
        assertThat(ScaleInOrder.LEAST_RECENTLY_REQUESTED.wireName()).isEqualTo("least-recently-requested");
        assertThat(ScaleInOrder.LOWEST_LOAD.wireName()).isEqualTo("lowest-load");
    }

    @Test
    void constructorKeepsTheBounds() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplicaPolicy(0, 1, 10, ScaleInOrder.LOWEST_LOAD))
                .withMessage("replicas 0 is below min 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplicaPolicy(-1, -1, 10, ScaleInOrder.LOWEST_LOAD))
                .withMessage("min -1 is negative");
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplicaPolicy(5, 1, 1001, ScaleInOrder.LOWEST_LOAD))
                .withMessage("max 1001 is above the hard ceiling of 1000");
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplicaPolicy(5, 6, 4, ScaleInOrder.LOWEST_LOAD))
                .withMessage("min 6 is greater than max 4");
        assertThatIllegalArgumentException().isThrownBy(() -> new ReplicaPolicy(11, 1, 10, ScaleInOrder.LOWEST_LOAD))
                .withMessage("replicas 11 is above max 10");
    }
}
