package com.example.fleet.scaling.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import com.example.fleet.load.LoadNote;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.policy.ReplicaPolicy;
import com.example.fleet.scaling.policy.ScaleInOrder;

import io.vertx.ext.consul.CheckStatus;

/** The leader's decision, from the policy, the members Consul shows and its own ID alone. */
class ScalingDecisionTest {

    private static final String LEADER = "svc-leader";

    private static FleetMember member(String id, CheckStatus status, long lastRequestMillis, int inFlight) {
        return new FleetMember(id, "10.0.0.1", 8080, OptionalInt.empty(), status,
                Optional.of(new LoadNote(inFlight, lastRequestMillis, 0.0)));
    }

    private static FleetMember passing(String id, long lastRequestMillis) {
        return member(id, CheckStatus.PASSING, lastRequestMillis, 0);
    }

    private static ReplicaPolicy replicas(int replicas) {
        return new ReplicaPolicy(replicas, 0, 10, ScaleInOrder.LEAST_RECENTLY_REQUESTED);
    }

    private static List<String> victimIds(ScalingDecision decision) {
        return decision.victims().stream().map(FleetMember::id).toList();
    }

    @Test
    void aFleetAtThePolicyChangesNothing() {
        ScalingDecision decision = ScalingDecision.decide(replicas(2),
                List.of(passing(LEADER, 5), passing("svc-b", 1)), LEADER);

        assertThat(decision.changesNothing()).isTrue();
        assertThat(decision.expectedPassing()).isEqualTo(2);
    }

    @Test
    void fewerPassingThanThePolicyStartsTheDifference() {
        ScalingDecision decision = ScalingDecision.decide(replicas(4), List.of(passing(LEADER, 5)), LEADER);

        assertThat(decision.toStart()).isEqualTo(3);
        assertThat(decision.victims()).isEmpty();
        assertThat(decision.expectedPassing()).isEqualTo(4);
    }

    @Test
    void onlyPassingMembersCountSoWarningAndCriticalOnesAreReplaced() {
        ScalingDecision decision = ScalingDecision.decide(replicas(3), List.of(passing(LEADER, 5),
                member("svc-warn", CheckStatus.WARNING, 1, 0), member("svc-ghost", CheckStatus.CRITICAL, 1, 0)),
                LEADER);

        assertThat(decision.passing()).isEqualTo(1);
        assertThat(decision.toStart()).isEqualTo(2);
    }

    @Test
    void scaleInChoosesTheLeastRecentlyRequestedAndNeverTheLeader() {
        ScalingDecision decision = ScalingDecision.decide(replicas(2), List.of(passing(LEADER, 0),
                passing("svc-busy", 300), passing("svc-idle", 100), passing("svc-quiet", 200)), LEADER);

        assertThat(victimIds(decision)).containsExactly("svc-idle", "svc-quiet");
        assertThat(decision.toStart()).isZero();
        assertThat(decision.expectedPassing()).isEqualTo(2);
    }

    @Test
    void lowestLoadGoesByRequestsInFlightAndTiesByInstanceId() {
        ReplicaPolicy policy = new ReplicaPolicy(2, 1, 10, ScaleInOrder.LOWEST_LOAD);
        ScalingDecision decision = ScalingDecision.decide(policy, List.of(passing(LEADER, 0),
                member("svc-c", CheckStatus.PASSING, 1, 0), member("svc-b", CheckStatus.PASSING, 1, 0),
                member("svc-a", CheckStatus.PASSING, 1, 7)), LEADER);

        assertThat(victimIds(decision)).containsExactly("svc-b", "svc-c");
    }

    @Test
    void membersThatDoNotPassAreNeverVictims() {
        ScalingDecision decision = ScalingDecision.decide(replicas(1), List.of(passing(LEADER, 5),
                passing("svc-b", 9), member("svc-warn", CheckStatus.WARNING, 1, 0)), LEADER);

        assertThat(victimIds(decision)).containsExactly("svc-b");
    }

    @Test
    void zeroReplicasRemovesEveryoneButTheLeaderAndAloneItChangesNothing() {
        ScalingDecision others = ScalingDecision.decide(replicas(0),
                List.of(passing(LEADER, 5), passing("svc-b", 1), passing("svc-c", 2)), LEADER);
        assertThat(victimIds(others)).containsExactly("svc-b", "svc-c");
        assertThat(others.expectedPassing()).isEqualTo(1);

        assertThat(ScalingDecision.decide(replicas(0), List.of(passing(LEADER, 5)), LEADER).changesNothing()).isTrue();
    }

    @Test
    void isMetOnlyByTheExpectedCountWithoutAnyVictim() {
        ScalingDecision decision = ScalingDecision.decide(replicas(1),
                List.of(passing(LEADER, 5), passing("svc-b", 1)), LEADER);

        assertThat(decision.isMetBy(List.of(passing(LEADER, 5)))).isTrue();
        assertThat(decision.isMetBy(List.of(passing(LEADER, 5), passing("svc-b", 1)))).isFalse();
        assertThat(decision.isMetBy(List.of(passing("svc-b", 1)))).as("the right count, but the victim").isFalse();
        assertThat(decision.isMetBy(List.of(passing(LEADER, 5), member("svc-b", CheckStatus.CRITICAL, 1, 0))))
                .as("a victim still registered but no longer passing is gone for the policy").isTrue();
    }

    @Test
    void aCandidateWhoseLoadIsUnknownCountsAsIdleAndGoesFirst() {
        FleetMember silent = passing("svc-silent", 0).withLoad(Optional.empty());
        for (ScaleInOrder order : ScaleInOrder.values()) {
            ScalingDecision decision = ScalingDecision.decide(new ReplicaPolicy(2, 0, 10, order),
                    List.of(passing(LEADER, 0), member("svc-busy", CheckStatus.PASSING, 500, 3), silent), LEADER);
            assertThat(victimIds(decision)).as(order.wireName()).containsExactly("svc-silent");
        }
    }

    @Test
    void loadIsWorthReadingOnlyWhenMorePassThanThePolicyAsks() {
        List<FleetMember> members = List.of(passing(LEADER, 0), passing("svc-b", 1),
                member("svc-warn", CheckStatus.WARNING, 1, 0));
        assertThat(ScalingDecision.hasSurplus(replicas(2), members)).isFalse();
        assertThat(ScalingDecision.hasSurplus(replicas(1), members)).isTrue();
        assertThat(ScalingDecision.candidates(members, LEADER)).extracting(FleetMember::id).containsExactly("svc-b");
    }
}
