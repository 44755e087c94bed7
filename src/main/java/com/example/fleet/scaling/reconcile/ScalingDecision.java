package com.example.fleet.scaling.reconcile;

import com.example.fleet.load.LoadNote;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.policy.ReplicaPolicy;
import com.example.fleet.scaling.policy.ScaleInOrder;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the leader does about the fleet: nothing, start {@link #toStart()} instances, or remove {@link #victims()}.
 * Made by {@link #decide} from the policy, the members Consul shows and the leader's own ID, and nothing else, so
 * every rule of the choice is unit tested without Consul.
 *
 * @param passing how many members count for the policy: those whose every check passes
 * @param desired the policy's replicas
 */
public record ScalingDecision(int passing, int desired, int toStart, List<FleetMember> victims) {

    public ScalingDecision {
        victims = List.copyOf(victims);
    }

    /**
     * Compares the passing members with the policy. Warning and critical members do not count; they are never
     * victims either (a warning one may recover, a critical one is reported as a possible ghost). The leader never
     * chooses itself: a policy of 0 replicas leaves it running.
     */
    public static ScalingDecision decide(ReplicaPolicy policy, List<FleetMember> members, String self) {
        List<FleetMember> passing = members.stream().filter(FleetMember::passing).toList();
        int desired = policy.replicas();
        if (passing.size() < desired) {
            return new ScalingDecision(passing.size(), desired, desired - passing.size(), List.of());
        }
        List<FleetMember> victims = candidates(members, self).stream()
                .sorted(victimsFirst(policy.scaleInOrder()))
                .limit(passing.size() - desired).toList();
        return new ScalingDecision(passing.size(), desired, 0, victims);
    }

    /**
     * Whether {@link #decide} would choose victims among these members: more pass than the policy asks for. Only
     * then is the load of the candidates worth reading.
     */
    public static boolean hasSurplus(ReplicaPolicy policy, List<FleetMember> members) {
        return members.stream().filter(FleetMember::passing).count() > policy.replicas();
    }

    /** The members {@link #decide} may choose victims from: passing, and not the leader. */
    static List<FleetMember> candidates(List<FleetMember> members, String self) {
        return members.stream().filter(FleetMember::passing).filter(member -> !member.id().equals(self)).toList();
    }

    /** The fleet matches the policy, or the only instance that could go is the leader. */
    public boolean changesNothing() {
        return toStart == 0 && victims.isEmpty();
    }

    /** How many passing instances Consul shows once the action took effect. */
    public int expectedPassing() {
        return passing + toStart - victims.size();
    }

    /** Whether the members Consul shows are what this decision leads to: as many passing, none of them a victim. */
    public boolean isMetBy(List<FleetMember> members) {
        Set<String> gone = victimIds();
        List<FleetMember> passingNow = members.stream().filter(FleetMember::passing).toList();
        return passingNow.size() == expectedPassing() && passingNow.stream().noneMatch(m -> gone.contains(m.id()));
    }

    /** The victims' instance IDs, sorted. */
    public SortedSet<String> victimIds() {
        return victims.stream().map(FleetMember::id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A short form such as {@code 3->1}: the same form twice means the same decision. */
    String summary() {
        return passing + "->" + desired;
    }

    /**
     * Scale-in victims first: the order the policy names, instance ID last so that the choice is stable. A member
     * whose load is unknown counts as idle and never requested ({@link LoadNote#NONE}), so it goes first.
     */
    static Comparator<FleetMember> victimsFirst(ScaleInOrder order) {
        Comparator<LoadNote> byLoad = switch (order) {
            case LEAST_RECENTLY_REQUESTED -> Comparator.comparingLong(LoadNote::lastRequestMillis)
                    .thenComparingInt(LoadNote::inFlight);
            case LOWEST_LOAD -> Comparator.comparingInt(LoadNote::inFlight)
                    .thenComparingDouble(LoadNote::ratePerSecond)
                    .thenComparingLong(LoadNote::lastRequestMillis);
        };
        return Comparator.comparing((FleetMember member) -> member.load().orElse(LoadNote.NONE), byLoad)
                .thenComparing(FleetMember::id);
    }
}
