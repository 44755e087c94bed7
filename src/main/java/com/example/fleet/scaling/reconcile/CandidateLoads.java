package com.example.fleet.scaling.reconcile;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.example.fleet.load.LoadEndpoint;
import com.example.fleet.load.LoadNote;
import com.example.fleet.load.LoadReader;
import com.example.fleet.scaling.FleetMember;

/**
 * Reads, at the moment of a scale-in, the load of every candidate straight from the instance (in parallel, within
 * {@code fleet.scaling.load-read-timeout}), so victims are chosen on load well under a second old.
 */
final class CandidateLoads {

    /** The members with the load each candidate answered, and how the read went, for the audit line. */
    record Read(List<FleetMember> members, int asked, int unanswered, Duration took) {

        String describe() {
            return "load read from " + asked + " candidate(s) in " + took.toMillis() + " ms"
                    + (unanswered == 0 ? "" : ", " + unanswered + " did not answer (counted as idle)");
        }
    }

    private final LoadReader reader;
    private final LoadEndpoint endpoint;
    private final Duration timeout;

    CandidateLoads(LoadReader reader, LoadEndpoint endpoint, Duration timeout) {
        this.reader = reader;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** Blocks the caller for at most about the timeout; the leader's own loop runs on a thread of its own. */
    Read attach(List<FleetMember> members, String self) {
        long start = System.nanoTime();
        Map<String, LoadReader.Target> targets = new LinkedHashMap<>();
        for (FleetMember candidate : ScalingDecision.candidates(members, self)) {
            targets.put(candidate.id(), target(candidate));
        }
        Map<String, LoadNote> loads = reader.read(targets, timeout).await().atMost(timeout.plusSeconds(5));
        List<FleetMember> withLoads = members.stream()
                .map(member -> targets.containsKey(member.id())
                        ? member.withLoad(Optional.ofNullable(loads.get(member.id())))
                        : member)
                .toList();
        return new Read(withLoads, targets.size(), targets.size() - loads.size(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    private LoadReader.Target target(FleetMember member) {
        boolean management = member.managementPort().isPresent();
        return new LoadReader.Target(member.address(), member.managementPort().orElse(member.port()),
                endpoint.path(management));
    }
}
