package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.example.fleet.consul.HealthEntry;

import io.smallrye.stork.api.ServiceInstance;
import io.vertx.ext.consul.CheckStatus;

/** Identity rules of the instances, which the balancer's prepared state and statistics rely on. */
class InstanceCatalogTest {

    private final InstanceCatalog catalog = new InstanceCatalog(Optional.empty(), Optional.empty(), 0);

    private static HealthEntry entry(String id, int port, String version) {
        return entry(id, port, Map.of("version", version));
    }

    private static HealthEntry entry(String id, int port, Map<String, String> meta) {
        return new HealthEntry(id, "node-1", "10.0.0.1", "10.0.0.1", port, List.of("env=prod"), meta,
                CheckStatus.PASSING);
    }

    private static List<Boolean> secure(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::isSecure).toList();
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
        assertThat(((ConsulWatchInstance) next.get(1)).meta()).containsEntry("version", "2");
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

    @Test
    void withoutTheSecureAttributeEachInstanceSaysItselfWhetherItIsCalledOverTls() {
        List<HealthEntry> entries = List.of(entry("a", 1, Map.of("secure", "true")), entry("b", 2, Map.of()),
                entry("c", 3, Map.of("secure", "TRUE")), entry("d", 4, Map.of("secure", "no")));

        assertThat(secure(catalog.update(entries))).containsExactly(true, false, true, false);
    }

    @Test
    void theSecureAttributeDecidesForEveryInstanceAsWithStork() {
        List<HealthEntry> entries = List.of(entry("a", 1, Map.of("secure", "true")), entry("b", 2, Map.of()));

        assertThat(secure(new InstanceCatalog(Optional.of(true), Optional.empty(), 0).update(entries))).containsExactly(true, true);
        assertThat(secure(new InstanceCatalog(Optional.of(false), Optional.empty(), 0).update(entries))).containsExactly(false, false);
    }
}
