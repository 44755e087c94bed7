package com.example.fleet.balancing;

import static com.example.fleet.balancing.Calls.fail;
import static com.example.fleet.balancing.Calls.instance;
import static com.example.fleet.balancing.Calls.succeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.InstanceLoad;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.stork.api.ServiceInstance;

/**
 * How the balancer follows the collections discovery hands out: candidates are prepared once per collection
 * object, and states follow instance ids from one collection to the next.
 */
class PeakEwmaSnapshotTest {

    private static final Throwable REFUSED = new ConnectException("Connection refused");

    private final ManualClock clock = new ManualClock();
    // without a failure penalty, only an ejection keeps an instance that refused out
    private final PeakEwmaLoadBalancer balancer = Calls.balancer(Calls.WITHOUT_PENALTY, clock,
            Clock.systemUTC(), Calls.seededRandom(), new SimpleMeterRegistry());
    private final ServiceInstance a = instance(1);
    private final ServiceInstance b = instance(2);

    @Test
    void weightsAreReadWhenACollectionIsFirstSeen() {
        Map<String, String> labelsOfA = new HashMap<>(Map.of("weight", "1"));
        ServiceInstance relabelled = instance(1, labelsOfA);
        List<ServiceInstance> snapshot = List.of(relabelled, b);
        assertThat(picks(snapshot, 100)).containsOnlyKeys(1L, 2L);

        labelsOfA.put("weight", "1000");
        assertThat(picks(snapshot, 100)).as("the collection already seen keeps the weights it had")
                .containsOnlyKeys(1L, 2L);

        // no call is in flight and estimates are equal: the weight alone decides each comparison
        assertThat(picks(List.of(relabelled, b), 100)).as("a new collection brings the new weight")
                .containsOnlyKeys(1L);
    }

    @Test
    void aStateFollowsItsInstanceIdIntoNewCollections() {
        ServiceInstance open = balancer.selectServiceInstance(List.of(a));
        open.recordStart(true);
        succeed(balancer.selectServiceInstance(List.of(b)), Duration.ofMillis(55));

        // with its call in flight, instance 1 (30 ms x 2) weighs more than instance 2 (55 ms x 1)
        assertThat(balancer.selectServiceInstance(List.of(a, b)).getId()).isEqualTo(2L);
        // discovery makes a new object under the same id when an instance's tags or Meta change
        ServiceInstance relabelled = instance(1, Map.of("version", "2"));
        assertThat(balancer.selectServiceInstance(List.of(relabelled, b)).getId()).isEqualTo(2L);
        Calls.reply(open, Duration.ofMillis(70));
        open.recordEnd(null);

        assertThat(balancer.estimates()).containsOnly(entry(1L, new InstanceLoad(70.0, 0, 0, 0, Optional.empty(), 0, Optional.empty())),
                entry(2L, new InstanceLoad(55.0, 0, 0, 0, Optional.empty(), 0, Optional.empty())));
    }

    @Test
    void anEjectionOutlivesNewCollectionsThatKeepListingTheInstance() {
        fail(balancer.selectServiceInstance(List.of(a)), REFUSED);

        for (int snapshot = 0; snapshot < 5; snapshot++) {
            assertThat(picks(List.of(a, b), 50)).containsOnlyKeys(2L);
        }
    }

    @Test
    void anEjectionEndsWhenACollectionDropsTheInstanceAndALaterOneListsItAgain() {
        fail(balancer.selectServiceInstance(List.of(a, b)), REFUSED);
        fail(balancer.selectServiceInstance(List.of(a, b)), REFUSED);
        ServiceInstance c = instance(3);
        assertThat(picks(List.of(a, b, c), 50)).containsOnlyKeys(3L);

        // discovery's snapshot without 1, as every call of a while gets it (a collection used once is a retry's)
        List<ServiceInstance> withoutA = List.of(b, c);
        balancer.selectServiceInstance(withoutA);
        balancer.selectServiceInstance(withoutA);

        assertThat(picks(List.of(a, b, c), 200)).as("1 was dropped and listed again; 2 never left")
                .containsOnlyKeys(1L, 3L);
        assertThat(balancer.estimates().get(1L).ejectedUntil()).isEmpty();
        assertThat(balancer.estimates().get(2L).ejectedUntil()).isPresent();
    }

    @Test
    void aCollectionGrownInPlaceIsPreparedAgain() {
        List<ServiceInstance> growing = new ArrayList<>(List.of(a));
        assertThat(picks(growing, 10)).containsOnlyKeys(1L);

        growing.add(b);

        assertThat(picks(growing, 100)).containsOnlyKeys(1L, 2L);
    }

    @Test
    void absenceCountsFromTheLastSelectionThatListedTheInstance() {
        List<ServiceInstance> both = List.of(a, b);
        List<ServiceInstance> onlyB = List.of(b);
        Duration forgetAfter = Calls.WITHOUT_PENALTY.forgetAfter();
        balancer.selectServiceInstance(both);
        clock.advance(forgetAfter.multipliedBy(3).dividedBy(4));
        // the same collection, prepared long ago: instance 1 is a candidate now
        balancer.selectServiceInstance(both);
        clock.advance(Duration.ofSeconds(1));
        balancer.selectServiceInstance(onlyB);

        clock.advance(forgetAfter.dividedBy(2));
        balancer.selectServiceInstance(onlyB);
        assertThat(balancer.estimates()).as("absent for less than forget-after").containsOnlyKeys(1L, 2L);

        clock.advance(forgetAfter);
        balancer.selectServiceInstance(onlyB);
        assertThat(balancer.estimates()).containsOnlyKeys(2L);
    }

    @Test
    void theListedInstancesAreNeverForgottenHoweverOldTheirCollection() {
        List<ServiceInstance> both = List.of(a, b);
        balancer.selectServiceInstance(both);

        for (int period = 0; period < 3; period++) {
            clock.advance(Calls.WITHOUT_PENALTY.forgetAfter().plusSeconds(1));
            balancer.selectServiceInstance(both);
        }

        assertThat(balancer.estimates()).containsOnlyKeys(1L, 2L);
    }

    private Map<Long, Integer> picks(Collection<ServiceInstance> candidates, int selections) {
        Map<Long, Integer> picks = new HashMap<>();
        for (int i = 0; i < selections; i++) {
            picks.merge(balancer.selectServiceInstance(candidates).getId(), 1, Integer::sum);
        }
        return picks;
    }
}
