package com.example.fleet.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.jboss.logmanager.LogContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import com.example.fleet.balancing.PeakEwmaConfiguration;
import com.example.fleet.balancing.PeakEwmaLoadBalancerProvider;

import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.api.Metadata;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.impl.RoundRobinConfiguration;
import io.smallrye.stork.impl.RoundRobinLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeConfiguration;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesConfiguration;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesLoadBalancerProvider;

/**
 * What a balancer costs per call, ours against Stork's, at several fleet sizes; run by
 * {@link BalancerMicrobenchmark}. Each balancer is created by its provider with its default configuration, as
 * Stork creates it, and is handed the same immutable list on every call, as a discovery hands out one list per
 * snapshot. Before measuring, every instance has had replies (so least-response-time compares them all rather
 * than trying the first new one) and {@value #OPEN_CALLS} calls are open (so in-flight counts are not all zero).
 * One thread: Stork serializes the selections of a service whose balancer asks for strict recording.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class BalancerSelectionBenchmark {

    static final String PEAK_EWMA = "peak-ewma";
    static final String ROUND_ROBIN = "round-robin";
    static final String LEAST_RESPONSE_TIME = "least-response-time";
    static final String POWER_OF_TWO_CHOICES = "power-of-two-choices";

    private static final int OPEN_CALLS = 16;
    private static final int REPLIES_PER_INSTANCE = 3;

    @Param({ PEAK_EWMA, ROUND_ROBIN, LEAST_RESPONSE_TIME, POWER_OF_TWO_CHOICES })
    public String balancer;

    @Param({ "3", "100", "1000" })
    public int instances;

    private List<ServiceInstance> fleet;
    private LoadBalancer loadBalancer;
    // the open calls, oldest at next: each measured call ends the oldest and takes its place
    private final ServiceInstance[] openCalls = new ServiceInstance[OPEN_CALLS];
    private int next;

    @Setup
    public void prepareBalancerWithHistory() {
        // INFO, as Quarkus sets it in the application; unconfigured, JBoss LogManager enables every level, and
        // least-response-time would then format a debug message on every selection
        LogContext.getLogContext().getLogger("").setLevel(Level.INFO);
        fleet = fleetOf(instances);
        loadBalancer = create(balancer);
        for (int i = 0; i < instances * REPLIES_PER_INSTANCE; i++) {
            ServiceInstance selected = start();
            selected.recordReply();
            selected.recordEnd(null);
        }
        for (int i = 0; i < OPEN_CALLS; i++) {
            openCalls[i] = start();
        }
    }

    /** The selection alone: what Stork asks the balancer for each call. */
    @Benchmark
    public ServiceInstance select() {
        return loadBalancer.selectServiceInstance(fleet);
    }

    /**
     * A whole call as the balancer sees it: the selection, the start Stork records, and the reply and end the
     * REST client reports for an earlier call. Balancers differ in where they do their work (in the selection or
     * in the recording), so this is the fair comparison.
     */
    @Benchmark
    public ServiceInstance call() {
        ServiceInstance selected = start();
        ServiceInstance oldest = openCalls[next];
        oldest.recordReply();
        oldest.recordEnd(null);
        openCalls[next] = selected;
        next = (next + 1) % OPEN_CALLS;
        return selected;
    }

    private ServiceInstance start() {
        ServiceInstance selected = loadBalancer.selectServiceInstance(fleet);
        selected.recordStart(true);
        return selected;
    }

    // labels as this service registers them in Consul Meta
    private static List<ServiceInstance> fleetOf(int size) {
        List<ServiceInstance> fleet = new ArrayList<>(size);
        Map<String, String> labels = Map.of("version", "1.0.0", "environment", "prod", "weight", "1");
        for (int i = 0; i < size; i++) {
            fleet.add(new DefaultServiceInstance(i + 1, "10.0." + i / 256 + "." + i % 256, 8080, false, labels,
                    Metadata.empty()));
        }
        return List.copyOf(fleet);
    }

    private static LoadBalancer create(String type) {
        return switch (type) {
            case PEAK_EWMA -> new PeakEwmaLoadBalancerProvider().createLoadBalancer(new PeakEwmaConfiguration(), null);
            case ROUND_ROBIN -> new RoundRobinLoadBalancerProvider().createLoadBalancer(new RoundRobinConfiguration(),
                    null);
            case LEAST_RESPONSE_TIME -> new LeastResponseTimeLoadBalancerProvider()
                    .createLoadBalancer(new LeastResponseTimeConfiguration(), null);
            case POWER_OF_TWO_CHOICES -> new PowerOfTwoChoicesLoadBalancerProvider()
                    .createLoadBalancer(new PowerOfTwoChoicesConfiguration(), null);
            default -> throw new IllegalArgumentException("unknown balancer " + type);
        };
    }
}
