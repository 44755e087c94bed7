package com.example.fleet.scaling.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulAgentPerTest;

import io.vertx.core.json.JsonObject;

/** Leader election between packaged instances on a real agent. */
class LeaderElectionIT {

    @RegisterExtension
    final ConsulAgentPerTest consulAgent = new ConsulAgentPerTest();

    private AppInstance instance(String name) {
        return AppInstance.start(name, consulAgent.address(), "fleet.registration.ttl=3s", "fleet.scaling.session-ttl=10s",
                "fleet.scaling.lock-delay=1s");
    }

    /** What the instance says of the election; empty while it does not answer. */
    static JsonObject leader(AppInstance app) {
        var answer = app.get("/api/fleet/leader");
        return answer.statusCode() == 200 ? new JsonObject(answer.body()) : new JsonObject();
    }

    /** The single leader, once every instance agrees on it. */
    static Optional<AppInstance> agreedLeader(List<AppInstance> apps) {
        List<AppInstance> leaders = apps.stream().filter(app -> leader(app).getBoolean("leader", false)).toList();
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        String id = leaders.get(0).instanceId();
        boolean agreed = apps.stream().allMatch(app -> id.equals(leader(app).getString("leaderId")));
        return agreed ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    @Test
    void oneLeaderThatEveryInstanceKnowsAndATakeOverWhenItIsKilled() {
        try (AppInstance a = instance("elect-a"); AppInstance b = instance("elect-b"); AppInstance c = instance("elect-c")) {
            List<AppInstance> all = List.of(a, b, c);
            await().atMost(Duration.ofSeconds(60)).until(() -> agreedLeader(all).isPresent());
            AppInstance first = agreedLeader(all).orElseThrow();
            first.kill();
            List<AppInstance> rest = all.stream().filter(app -> app != first).toList();
            // the session ends within twice its TTL, then the lock-delay passes
            await().atMost(Duration.ofSeconds(60)).until(() -> agreedLeader(rest).isPresent());
            AppInstance second = agreedLeader(rest).orElseThrow();
            assertThat(second).isNotSameAs(first);
            assertThat(second.log()).contains("now leads fleet-service").contains("\"event\":\"leader-acquired\"");
        }
    }

    @Test
    void aLeaderStoppingGracefullyHandsOverWithoutWaiting() {
        try (AppInstance a = instance("hand-a"); AppInstance b = instance("hand-b")) {
            List<AppInstance> both = List.of(a, b);
            await().atMost(Duration.ofSeconds(60)).until(() -> agreedLeader(both).isPresent());
            AppInstance first = agreedLeader(both).orElseThrow();
            AppInstance other = first == a ? b : a;
            first.stopGracefully();
            assertThat(first.log()).contains("\"event\":\"leader-released\"");
            // released before the session ended: no session TTL to wait for
            await().atMost(Duration.ofSeconds(8)).until(() -> leader(other).getBoolean("leader", false));
        }
    }

    @Test
    void anInstanceThatIsNoCandidateKnowsTheLeaderButNeverHoldsASessionToTakeTheLockWith() {
        try (AppInstance candidate = instance("candidate");
                AppInstance watcher = AppInstance.start("no-candidate", consulAgent.address(),
                        "fleet.registration.ttl=3s", "fleet.scaling.lock-delay=1s",
                        "fleet.scaling.leader-candidate=false")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> agreedLeader(List.of(candidate, watcher))
                    .filter(leader -> leader == candidate).isPresent());
            assertThat(leader(watcher).getString("sessionId")).isNull();

            candidate.stopGracefully();
            // it sees the lock freed, and has nothing to acquire it with
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonObject view = leader(watcher);
                return !view.isEmpty() && view.getString("leaderId") == null;
            });
            assertThat(leader(watcher).getBoolean("leader")).isFalse();
            assertThat(leader(watcher).getString("sessionId")).isNull();
        }
    }
}
