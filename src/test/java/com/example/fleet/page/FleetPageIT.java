package com.example.fleet.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulCluster;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.HeadlessChromium;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The fleet page in a real browser: headless Chromium, driven over the DevTools protocol, against three packaged
 * instances on an ACL default-deny Consul agent, each with a token of exactly the shipped policy. The page lists the
 * fleet, shows a policy written to KV and a refused one, the leader's audit events on a follower's page, a chart once
 * calls went through the balancer, and an instance drained away; it reconnects by itself after its instance
 * restarts, whose open stream did not hold up the graceful shutdown. No console errors. The screenshot goes to
 * {@code target/fleet-page.png}, and with {@code -D}{@value #UPDATE_DOCS}{@code =true} to the README's
 * {@code docs/fleet-page.png} too. Skipped, saying how to install it, where no Chromium is found.
 */
class FleetPageIT {

    /** Copies the screenshot over the README's when true. */
    static final String UPDATE_DOCS = "fleet-page.update-docs";
    private static final Path SCREENSHOT = Path.of("target", "fleet-page.png");
    private static final Path DOCS_SCREENSHOT = Path.of("docs", "fleet-page.png");
    private static final String POLICY_KEY = "config/fleet-service/replicas";
    private static final Duration STARTED = Duration.ofSeconds(90);
    private static final Duration SHOWN = Duration.ofSeconds(30);
    /** Far longer than a drain without open streams takes: a stream that held it up would show. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final String master = ConsulDevAgent.newToken();
    private final List<AutoCloseable> started = new ArrayList<>();
    private ConsulApi consul;

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void showsTheFleetLiveAndComesBackAfterItsInstanceRestarts() throws Exception {
        Optional<Path> binary = HeadlessChromium.find();
        assumeTrue(binary.isPresent(), "FleetPageIT skipped: no Chromium on the PATH (chromium, chromium-browser) nor"
                + " in CHROME_BIN; install Debian's with `" + HeadlessChromium.INSTALL + "` (as root; .ci/run does)");
        String token = fleetOnAnAclAgent();
        List<Integer> ports = List.of(freePort(), freePort(), freePort());
        List<AppInstance> fleet = new ArrayList<>();
        for (int port : ports) {
            fleet.add(instance(token, port));
        }
        await().atMost(STARTED).until(() -> agreedLeader(fleet).isPresent());
        AppInstance leader = agreedLeader(fleet).orElseThrow();
        List<AppInstance> followers = fleet.stream().filter(app -> app != leader).toList();
        AppInstance watched = followers.get(0);
        AppInstance drained = followers.get(1);

        Files.createDirectories(Path.of("target", "it-logs"));
        HeadlessChromium browser = HeadlessChromium.start(binary.get(), 1280, 1080,
                Path.of("target", "it-logs", "chromium.log"));
        started.add(browser);
        // /fleet redirects to the page's directory
        browser.open("http://127.0.0.1:" + watched.port() + "/fleet");
        assertThat(browser.evaluate("location.pathname")).isEqualTo("/fleet/");
        await().atMost(SHOWN).until(() -> "live".equals(browser.evaluate("document.getElementById('connection')"
                + ".dataset.state")) && listed(browser).containsAll(fleet.stream().map(AppInstance::instanceId).toList()));
        assertThat(text(browser, "seen-from")).isEqualTo(watched.instanceId());
        // the leader comes in its own event (control), which may follow the instances' by a moment
        await().atMost(SHOWN).until(() -> leader.instanceId().equals(text(browser, "leader-id")));

        consul.putKey(POLICY_KEY, "{\"replicas\":3,\"min\":1,\"max\":5}");
        await().atMost(SHOWN).until(() -> "3".equals(browser.evaluate("document.getElementById('policy')"
                + ".dataset.replicas")));
        assertThat(text(browser, "policy-source")).startsWith("key " + POLICY_KEY + " at ModifyIndex");
        consul.putKey(POLICY_KEY, "{\"replicas\":3,\"mni\":1}");
        await().atMost(SHOWN).until(() -> text(browser, "rejection-reason").contains("mni"));
        // the trail the leader wrote, on a follower's page
        await().atMost(SHOWN).until(() -> leader.instanceId().equals(browser.evaluate(
                "document.querySelector('#audit tr[data-event=\"policy-changed\"] td:nth-child(3)')?.textContent")));

        // three rounds of calls a bucket apart, so that the chart shows them side by side
        for (int round = 1; round <= 3; round++) {
            browser.evaluate("document.querySelector('#send button').click()");
            await().atMost(SHOWN).until(() -> text(browser, "sent").equals("100 calls: 100 answered, 0 failed"));
            browser.evaluate("document.getElementById('sent').textContent = ''");
            long recorded = 100L * round;
            await().atMost(SHOWN).until(() -> charted(browser) == recorded);
            if (round < 3) {
                // until this round's bucket is no longer the newest
                await().atMost(SHOWN).until(() -> ((Number) browser.evaluate("Number(document.getElementById("
                        + "'share-chart').dataset.newestBucket)")).intValue() < CallHistory.BUCKETS - 1);
            }
        }
        assertThat(((Number) browser.evaluate("document.querySelectorAll('#share-chart g[data-series]').length"))
                .intValue()).as("calls spread over the instances").isGreaterThanOrEqualTo(2);
        assertThat(browser.errors()).as("console errors").isEmpty();
        browser.screenshot(SCREENSHOT);
        if (Boolean.getBoolean(UPDATE_DOCS)) {
            Files.createDirectories(DOCS_SCREENSHOT.getParent());
            Files.copy(SCREENSHOT, DOCS_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }

        consul.putKey("service/fleet-service/drain/" + drained.instanceId(), "drained by FleetPageIT");
        await().atMost(SHOWN).until(() -> !listed(browser).contains(drained.instanceId()));
        drained.awaitExit(STARTED);

        // the page's own instance stops while the page's stream is open, and starts again on the same port
        watched.signalStop();
        assertThat(watched.awaitExit(SHUTDOWN_TIMEOUT.dividedBy(2))).as("exit after SIGTERM").isEqualTo(143);
        assertThat(watched.log()).doesNotContain("Timed out waiting for graceful shutdown");
        await().atMost(SHOWN).until(() -> !"live".equals(browser.evaluate(
                "document.getElementById('connection').dataset.state")));
        AppInstance restarted = instance(token, watched.port());
        await().atMost(STARTED).until(() -> "live".equals(browser.evaluate(
                "document.getElementById('connection').dataset.state"))
                && listed(browser).equals(List.of(leader.instanceId(), restarted.instanceId()).stream().sorted()
                        .toList()));
        // while its instance was away, the browser could only say that it could not reach the stream
        assertThat(browser.errors()).allSatisfy(error -> assertThat(error.text()).contains("/api/fleet/stream"));
    }

    /** An ACL default-deny agent, and a token of exactly the policy the project ships. */
    private String fleetOnAnAclAgent() throws IOException {
        ConsulDevAgent agent = ConsulDevAgent.start(Optional.of(master));
        started.add(agent);
        consul = new ConsulApi(agent.address(), Optional.of(master));
        String rules = Files.readString(ConsulCluster.POLICY_RULES);
        // the master token works once the agent has elected itself leader
        await().atMost(STARTED).ignoreExceptions().until(() -> consul.createPolicy("fleet-service", rules),
                Objects::nonNull);
        return consul.createToken("fleet-service");
    }

    private AppInstance instance(String token, int port) {
        AppInstance app = AppInstance.start("fleet-page-" + port, Map.of("CONSUL_HTTP_ADDR", consulAddress(),
                "CONSUL_HTTP_TOKEN", token), "quarkus.http.port=" + port, "fleet.registration.ttl=3s",
                "fleet.scaling.session-ttl=10s", "fleet.scaling.lock-delay=1s",
                "quarkus.shutdown.timeout=" + SHUTDOWN_TIMEOUT.toSeconds() + "s");
        started.add(app);
        return app;
    }

    private String consulAddress() {
        return started.stream().filter(ConsulDevAgent.class::isInstance).map(ConsulDevAgent.class::cast).findFirst()
                .orElseThrow().address();
    }

    /** The instance IDs the page's table lists, sorted. */
    private static List<String> listed(HeadlessChromium browser) {
        return ((JsonArray) browser.evaluate("[...document.querySelectorAll('#instances tbody tr')]"
                + ".map(row => row.dataset.instance)")).stream().map(String::valueOf).sorted().toList();
    }

    /** Answered calls the share chart shows, all instances together. */
    private static long charted(HeadlessChromium browser) {
        return ((Number) browser.evaluate("[...document.querySelectorAll('#share-chart g[data-series]')]"
                + ".reduce((sum, series) => sum + Number(series.dataset.answered), 0)")).longValue();
    }

    private static String text(HeadlessChromium browser, String id) {
        return String.valueOf(browser.evaluate("document.getElementById('" + id + "').textContent"));
    }

    private static Optional<AppInstance> agreedLeader(List<AppInstance> fleet) {
        List<String> leaders = fleet.stream().map(app -> {
            JsonObject view = new JsonObject(app.get("/api/fleet/leader").body());
            return view.getString("leaderId", "");
        }).distinct().toList();
        return leaders.size() == 1 ? fleet.stream().filter(app -> app.instanceId().equals(leaders.get(0))).findFirst()
                : Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }
}
