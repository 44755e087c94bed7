package com.example.fleet.page;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.api.FleetResource;
import com.example.fleet.balancing.ladder.LevelLoad;
import com.example.fleet.balancing.rules.InstanceLoad;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The page's instances part: what this client sees, at most {@value FleetFeed#MAX_ROWS} rows of {@code total}. */
@RegisterForReflection
record InstancesPart(String service, String seenFrom, int total, List<Row> shown, long consulIndex,
        Optional<String> consulProblem, Optional<Boolean> balancerPanicking, List<Watched> datacenters,
        List<LevelLoad> levels) {

    /**
     * A datacenter discovery watches, without the age of its answer, which would change every second: what the page
     * shows changes only when the watch does.
     */
    @RegisterForReflection
    record Watched(String datacenter, int instances, long index, Optional<String> problem) {

        static Watched of(FleetResource.Watched watched) {
            return new Watched(watched.datacenter(), watched.instances(), watched.index(), watched.problem());
        }
    }

    /**
     * One instance as {@code /api/fleet} shows it; the balancer's fields are null without peak-ewma or before a
     * first call. The estimate is rounded to a tenth of a millisecond: it relaxes a little every moment after the
     * last call, and a change too small to read would be sent every second.
     */
    @RegisterForReflection
    record Row(String consulId, String address, int port, String status, Map<String, String> meta,
            String datacenter, Double estimateMillis, Integer inFlight, Integer consecutiveFailures,
            Instant ejectedUntil, String avoided) {

        static Row of(FleetResource.Member member) {
            Optional<InstanceLoad> load = member.balancer();
            return new Row(member.consulId(), member.address(), member.port(), member.status(), member.meta(),
                    member.datacenter().orElse(null),
                    load.map(l -> Math.round(l.estimateMillis() * 10) / 10.0).orElse(null),
                    load.map(InstanceLoad::inFlight).orElse(null),
                    load.map(InstanceLoad::consecutiveFailures).orElse(null),
                    load.flatMap(InstanceLoad::ejectedUntil).orElse(null),
                    load.flatMap(InstanceLoad::avoided).orElse(null));
        }
    }
}
