package com.example.fleet.discovery;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import com.example.fleet.consul.BlockingQueryLoop;
import com.example.fleet.consul.ConsulErrors;
import com.example.fleet.consul.HealthEntry;
import com.example.fleet.consul.ServiceHealth;
import com.example.fleet.consul.WatchTiming;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * The watch of one datacenter's catalog of a service, the local one or a failover one: its blocking-query loop,
 * with an index, backoff and error state of its own (each datacenter has its own indexes), and the instances it
 * answered last. A Consul error never empties them: the last answer stays, marked with the problem.
 */
final class DatacenterWatch {

    private static final Logger LOG = Logger.getLogger(DatacenterWatch.class);

    private final String consulService;
    private final InstanceFilter filter;
    private final InstanceCatalog catalog;
    private final ConsulClient client;
    private final BlockingQueryLoop<List<HealthEntry>> loop;
    private final String tokenSource;
    private final Consumer<DatacenterState> onChange;
    private volatile DatacenterState state;

    /**
     * @param client a client of that datacenter whose read timeout covers the blocking queries; stopping closes it
     * @param onChange told of every answer and every new problem, on the loop's Vert.x context
     */
    DatacenterWatch(String consulService, Optional<String> datacenter, int rank, InstanceFilter filter,
            Optional<Boolean> secure, ConsulClient client, WatchTiming timing, Vertx vertx, String tokenSource,
            Consumer<DatacenterState> onChange) {
        this.consulService = consulService;
        this.filter = filter;
        this.catalog = new InstanceCatalog(secure, datacenter, rank);
        this.client = client;
        this.tokenSource = tokenSource;
        this.onChange = onChange;
        this.state = DatacenterState.unanswered(datacenter, rank);
        this.loop = new BlockingQueryLoop<>(vertx, index -> ServiceHealth.read(client, consulService,
                filter.passingOnly(), index, timing), timing, this::onAnswer, this::onFailure);
    }

    void start() {
        loop.start();
    }

    void stop() {
        loop.stop();
        client.close();
    }

    DatacenterState state() {
        return state;
    }

    private void onAnswer(BlockingQueryLoop.Answer<List<HealthEntry>> answer) {
        List<HealthEntry> accepted = answer.value().stream().filter(filter::accepts).toList();
        DatacenterState previous = state;
        state = previous.answered(catalog.update(accepted), answer.index());
        if (previous.problem().isPresent()) {
            LOG.infof("Consul answers again about '%s'%s", consulService, where());
        }
        onChange.accept(state);
    }

    private void onFailure(Throwable failure) {
        String problem = ConsulErrors.describe(failure, "watch service '" + consulService + "'" + where(),
                "service:read on \"" + consulService + "\" and node:read" + state.datacenter()
                        .map(dc -> " in datacenter " + dc).orElse(""),
                tokenSource);
        DatacenterState previous = state;
        if (!previous.problem().equals(Optional.of(problem))) {
            LOG.warnf("%s; keeping the last known instances and retrying", problem);
            state = previous.failing(problem);
            onChange.accept(state);
        }
    }

    private String where() {
        return state.datacenter().map(dc -> " in datacenter " + dc).orElse("");
    }
}
