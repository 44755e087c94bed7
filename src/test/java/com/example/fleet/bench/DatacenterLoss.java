package com.example.fleet.bench;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulDevAgent;
import com.example.fleet.testing.LoadDriver;

import io.vertx.core.json.JsonObject;

/**
 * The loss of a whole datacenter, measured from outside: two WAN-joined Consul dev agents, dc1 and dc2, two
 * instances in each, and a caller in dc1 with dc2 as its failover datacenter, under load from {@value #WORKERS}
 * threads. Both dc1 instances are killed; later two new ones start there. Reads the load driver's answers once a
 * second, so that every share below is over whole seconds.
 */
final class DatacenterLoss {

    private static final int WORKERS = 8;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final int BASELINE_SECONDS = 10;
    private static final int LOST_SECONDS = 12;
    /** The measure: from 2 s after the kill, the next datacenter answers. */
    private static final int AFTER_KILL_SECONDS = 2;
    private static final int RETURN_LIMIT_SECONDS = 40;

    private DatacenterLoss() {
    }

    /** Runs the case and returns its table, in Markdown. */
    static String measure() {
        List<AppInstance> started = new ArrayList<>();
        try (ConsulDevAgent dc1 = ConsulDevAgent.startInDatacenter("dc1");
                ConsulDevAgent dc2 = ConsulDevAgent.startInDatacenter("dc2")) {
            dc2.joinWan(dc1);
            List<AppInstance> home = List.of(instance("loss-dc1", dc1), instance("loss-dc1", dc1));
            List<AppInstance> away = List.of(instance("loss-dc2", dc2), instance("loss-dc2", dc2));
            AppInstance caller = AppInstance.start("loss-caller", dc1.address(), "fleet.zone=a",
                    "fleet.registration.service-name=loss-caller",
                    "quarkus.stork.fleet-service.service-discovery.consul-service=fleet-service",
                    "quarkus.stork.fleet-service.service-discovery.failover-datacenters=dc2");
            started.addAll(home);
            started.addAll(away);
            started.add(caller);
            awaitReady(started);
            await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(caller.get("/api/fleet").body())
                    .getJsonArray("instances").size() == 4);
            URI call = URI.create("http://127.0.0.1:" + caller.port() + "/api/fleet/call");
            try (LoadDriver warm = LoadDriver.start(call, WORKERS)) {
                WallClock.pause(WARM_UP);
            }
            try (LoadDriver load = LoadDriver.start(call, WORKERS)) {
                Seconds seconds = new Seconds(load);
                seconds.pass(BASELINE_SECONDS);
                int baselineEnd = seconds.count();
                int baselineLatencies = latencyCount(load);
                home.forEach(AppInstance::kill);
                seconds.pass(LOST_SECONDS);
                int lostEnd = seconds.count();
                int lostLatencies = latencyCount(load);
                long failedWhileLost = load.failures().size();
                Set<String> dc2Ids = ids(away);
                double toDc2 = seconds.timeToShare(baselineEnd, lostEnd, dc2Ids, 0.99);
                double shareFromTwo = seconds.share(baselineEnd + AFTER_KILL_SECONDS, lostEnd, dc2Ids);

                List<AppInstance> back = List.of(instance("loss-dc1-back", dc1), instance("loss-dc1-back", dc1));
                started.addAll(back);
                awaitReady(back);
                int readyAt = seconds.count();
                Set<String> backIds = ids(back);
                double toHome = Double.NaN;
                for (int i = 0; i < RETURN_LIMIT_SECONDS && Double.isNaN(toHome); i++) {
                    seconds.pass(1);
                    toHome = seconds.timeToShare(readyAt, seconds.count(), backIds, 0.95);
                }
                seconds.pass(3);
                load.stop();
                Samples baseline = Samples.ofNanos(load.latencies(0).subList(0, baselineLatencies));
                Samples lost = Samples.ofNanos(load.latencies(baselineLatencies).subList(0,
                        lostLatencies - baselineLatencies));
                System.out.printf(Locale.ROOT, "overload benchmark: datacenter loss: failures %s%n",
                        load.failures().stream().limit(5).toList());
                return table(seconds.rate(0, baselineEnd), seconds.rate(baselineEnd, lostEnd), failedWhileLost,
                        toDc2, shareFromTwo, baseline, lost, toHome, load.failures().size() - failedWhileLost);
            }
        } finally {
            started.forEach(AppInstance::close);
        }
    }

    private static AppInstance instance(String name, ConsulDevAgent agent) {
        return AppInstance.start(name, agent.address(), "fleet.registration.ttl=3s", "fleet.zone=a");
    }

    private static void awaitReady(List<AppInstance> apps) {
        for (AppInstance app : apps) {
            await().atMost(Duration.ofSeconds(90)).until(() -> app.get("/q/health/ready").statusCode() == 200);
        }
    }

    private static int latencyCount(LoadDriver load) {
        return load.latencies(0).size();
    }

    private static Set<String> ids(List<AppInstance> apps) {
        return apps.stream().map(AppInstance::instanceId).collect(Collectors.toSet());
    }

    private static String table(double baselineRate, double lostRate, long failedWhileLost, double toDc2,
            double shareFromTwo, Samples baseline, Samples lost, double toHome, long failedOnReturn) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Machine: %d cores, %s, Java %s, two Consul 1.8.7 dev agents"
                + " (dc1, dc2) WAN-joined, all on loopback; 2 instances in each, a caller in dc1 (zone a) with dc2"
                + " as failover datacenter, %d callers in the benchmark JVM; both dc1 instances killed after %d s,"
                + " %d s measured, then two new ones started in dc1.%n%n", Runtime.getRuntime().availableProcessors(),
                Machine.cpu(), System.getProperty("java.version"), WORKERS, BASELINE_SECONDS, LOST_SECONDS));
        table.append("| calls/s before → dc1 lost | failed while lost | s until 99 % by dc2 (1 s windows) |"
                + " share by dc2 from " + AFTER_KILL_SECONDS + " s | p50 / p99 ms before → lost | s until 95 % home"
                + " after the new ones were ready | failed on the way home |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        table.append(String.format(Locale.ROOT, "| %.0f → %.0f | %d | %s | %.2f %% | %s / %s → %s / %s | %s | %d |%n",
                baselineRate, lostRate, failedWhileLost, Double.isNaN(toDc2) ? "never" : "%.0f".formatted(toDc2),
                shareFromTwo * 100, Samples.millis(baseline.median()), Samples.millis(baseline.p99()),
                Samples.millis(lost.median()), Samples.millis(lost.p99()),
                Double.isNaN(toHome) ? "not within " + RETURN_LIMIT_SECONDS : "%.0f".formatted(toHome),
                failedOnReturn));
        return table.toString();
    }

    /** The driver's answers per instance, read at the end of every second. */
    private static final class Seconds {

        private final LoadDriver load;
        private final List<Map<String, Long>> readings = new ArrayList<>();

        Seconds(LoadDriver load) {
            this.load = load;
            readings.add(load.answeredBy());
        }

        void pass(int count) {
            for (int i = 0; i < count; i++) {
                WallClock.pause(Duration.ofSeconds(1));
                readings.add(load.answeredBy());
            }
        }

        /** Seconds read so far. */
        int count() {
            return readings.size() - 1;
        }

        /** Answers a second between the ends of seconds {@code from} and {@code to}. */
        double rate(int from, int to) {
            return (double) (total(readings.get(to)) - total(readings.get(from))) / (to - from);
        }

        /** The share of answers by {@code ids} between the ends of seconds {@code from} and {@code to}. */
        double share(int from, int to, Set<String> ids) {
            long all = total(readings.get(to)) - total(readings.get(from));
            long byThem = total(readings.get(to), ids) - total(readings.get(from), ids);
            return all == 0 ? 0 : (double) byThem / all;
        }

        /** Seconds after {@code from} until the first whole second with at least {@code share} by {@code ids}. */
        double timeToShare(int from, int to, Set<String> ids, double share) {
            for (int second = from + 1; second <= to; second++) {
                if (share(second - 1, second, ids) >= share) {
                    return second - from;
                }
            }
            return Double.NaN;
        }

        private static long total(Map<String, Long> reading) {
            return reading.values().stream().mapToLong(Long::longValue).sum();
        }

        private static long total(Map<String, Long> reading, Set<String> ids) {
            return reading.entrySet().stream().filter(entry -> ids.contains(entry.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }
}
