package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.example.fleet.consul.HealthEntry;

import io.smallrye.stork.api.ServiceInstance;
import io.vertx.ext.consul.CheckStatus;

/** Identity rules of the instances, which the balancer's prepared state and statistics rely on. */
class InstanceCatalogTest {

    private final InstanceCatalog catalog = new InstanceCatalog();

    private static HealthEntry entry(String id, int port, String version) {
        return new HealthEntry(id, "node-1", "10.0.0.1", "10.0.0.1", port, List.of("env=prod"),
                Map.of("version", version), CheckStatus.PASSING);
    }

    @Test
    void anAnswerThatChangesNoInstanceGivesBackTheSameList() {
        List<ServiceInstance> first = catalog.update(List.of(entry("a", 1, "1"), entry("b", 2, "1")));

        List<ServiceInstance> again = catalog.update(List.of(entry("a", 1, "1"), entry("b", 2, "1")));

        assertThat(again).isSameAs(first);
    }

    @Test
    void aChangedInstanceGetsANewObjectUnderItsIdAndTheOthersStay() {
        List<ServiceInstance> first = catalog.update(List.of(entry("a", 1, "1"), entry("b", 2, "1")));

        List<ServiceInstance> next = catalog.update(List.of(entry("a", 1, "1"), entry("b", 2, "2")));

        assertThat(next).isNotSameAs(first);
        assertThat(next.get(0)).isSameAs(first.get(0));
        assertThat(next.get(1)).isNotSameAs(first.get(1));
        assertThat(next.get(1).getId()).isEqualTo(first.get(1).getId());
        assertThat(next.get(1).getLabels()).containsEntry("version", "2");
    }

    @Test
    void anInstanceThatLeavesOrComesOrMovesInTheOrderMakesANewList() {
        List<ServiceInstance> first = catalog.update(List.of(entry("a", 1, "1"), entry("b", 2, "1")));

        List<ServiceInstance> fewer = catalog.update(List.of(entry("a", 1, "1")));
        assertThat(fewer).isNotSameAs(first).containsExactly(first.get(0));

        List<ServiceInstance> more = catalog.update(List.of(entry("a", 1, "1"), entry("c", 3, "1")));
        assertThat(more).isNotSameAs(fewer).hasSize(2);

        List<ServiceInstance> reordered = catalog.update(List.of(entry("c", 3, "1"), entry("a", 1, "1")));
        assertThat(reordered).isNotSameAs(more).containsExactly(more.get(1), more.get(0));
    }
}
