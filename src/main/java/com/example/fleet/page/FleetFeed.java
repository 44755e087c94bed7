package com.example.fleet.page;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.api.FleetResource;
import com.example.fleet.calls.FleetCalls;
import com.example.fleet.calls.TryObserver;
import com.example.fleet.consul.KeyWatch;
import com.example.fleet.registration.ConsulRegistrar;
import com.example.fleet.scaling.audit.AuditRing;
import com.example.fleet.scaling.audit.AuditTrail;
import com.example.fleet.scaling.leadership.LeaderElection;
import com.example.fleet.scaling.policy.PolicyWatch;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;

/**
 * What the fleet page shows, as named parts pushed to every open page: {@code instances} (what {@code /api/fleet}
 * answers, the first {@value #MAX_ROWS} instances), {@code control} (leader and policy), {@code calls} (the chart of
 * this instance's calls, {@link CallHistory}) and {@code audit} (the fleet's trail, {@link AuditRing}).
 * <p>
 * Its cost follows the pages, not the fleet: while no page is open nothing runs. The first page starts a timer that
 * looks once per {@link #TICK}, the recording of calls, and one blocking query on the audit key; the last one to
 * close stops them. A part goes out only when it changed, so at most one frame per part per second, and none while
 * nothing happens but a {@code ping} every {@link #KEEPALIVE}. Every page shares the same frames. At shutdown every
 * stream ends, so that open pages never hold up the drain of in-flight requests; the pages reconnect to another
 * start.
 */
@ApplicationScoped
public class FleetFeed {

    private static final Logger LOG = Logger.getLogger(FleetFeed.class);
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    /** Rows sent at most: a person reads a few dozen; the whole list stays at {@code /api/fleet}. */
    static final int MAX_ROWS = 200;
    static final String INSTANCES = "instances";
    static final String CONTROL = "control";
    static final String CALLS = "calls";
    static final String AUDIT = "audit";
    static final String PING = "ping";

    /** One part as sent: its name (the SSE event name) and its JSON. */
    public record Frame(String name, String json) {
    }

    @RegisterForReflection
    record Control(LeaderElection.View leader, PolicyWatch.State policy) {
    }

    /** The newest events first; {@code problem} says why the trail cannot be read or watched, if so. */
    @RegisterForReflection
    public record Audit(String key, List<JsonObject> events, Optional<String> problem) {
    }

    @Inject
    Vertx vertx;
    @Inject
    FleetResource fleet;
    @Inject
    FleetCalls calls;
    @Inject
    AuditRing audit;
    @Inject
    ConsulRegistrar registrar;
    @Inject
    ObjectMapper json;

    private final CallHistory history = new CallHistory(System::nanoTime);
    private final Set<MultiEmitter<? super Frame>> pages = ConcurrentHashMap.newKeySet();
    /** The last frame of each part, which a page gets as soon as it connects. */
    private final Map<String, Frame> latest = new HashMap<>();
    private volatile boolean stopped;
    private volatile long lastSent;
    private volatile AuditTrail trail = AuditTrail.empty();
    private long timer = -1;
    private KeyWatch auditWatch;

    /** The frames for one page: the latest of each part at once, then each change, until the page goes. */
    public Multi<Frame> frames() {
        return Multi.createFrom().emitter(page -> {
            if (stopped) {
                page.complete();
                return;
            }
            page.onTermination(() -> leave(page));
            join(page);
        });
    }

    /** Pages open now. */
    int pages() {
        return pages.size();
    }

    /** Whether the work for open pages runs. */
    synchronized boolean running() {
        return timer >= 0;
    }

    /** Under the lock that sending takes too, so that the page gets no frame older than one it already has. */
    private synchronized void join(MultiEmitter<? super Frame> page) {
        latest.values().forEach(page::emit);
        pages.add(page);
        if (timer < 0 && !stopped) {
            calls.observeTries(history);
            auditWatch = audit.watch(this::onTrail, this::onAuditProblem);
            timer = vertx.setPeriodic(1, TICK.toMillis(), ignored -> tick());
        }
    }

    private synchronized void leave(MultiEmitter<? super Frame> page) {
        pages.remove(page);
        if (pages.isEmpty()) {
            stopWork();
        }
    }

    private synchronized void stopWork() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
            calls.observeTries(TryObserver.NONE);
            auditWatch.close();
            // the next page starts from what is current then
            latest.clear();
        }
    }

    /** Shutdown begins: end every stream, so that no open page holds up the drain of in-flight requests. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        stop();
    }

    /** Without a shutdown delay this is the first hook; it comes after the drain, so only the leftovers end. */
    void onShutdown(@Observes ShutdownEvent event) {
        stop();
    }

    private void stop() {
        stopped = true;
        List.copyOf(pages).forEach(MultiEmitter::complete);
        stopWork();
    }

    private void tick() {
        fleet.view().subscribe().with(view -> {
            List<InstancesPart.Row> shown = view.instances().stream().limit(MAX_ROWS).map(InstancesPart.Row::of)
                    .toList();
            publish(INSTANCES, new InstancesPart(view.service(), registrar.status().instanceId().orElse("unregistered"),
                    view.instances().size(), shown, view.index(), view.consulProblem(), view.balancerPanicking(),
                    view.datacenters().stream().map(InstancesPart.Watched::of).toList(), view.levels()));
            publishTheRest();
        }, failure -> {
            LOG.debugf("The fleet page's view of the instances failed: %s", failure);
            publishTheRest();
        });
    }

    private void publishTheRest() {
        publish(CONTROL, new Control(fleet.leader(), fleet.policy()));
        publish(CALLS, history.chart());
        AuditTrail current = trail;
        publish(AUDIT, new Audit(audit.key(), current.newestFirst(AuditTrail.CAPACITY), current.problem()));
        if (System.nanoTime() - lastSent >= KEEPALIVE.toNanos()) {
            send(new Frame(PING, "{}"));
        }
    }

    private void onTrail(AuditTrail stored) {
        trail = stored;
    }

    /** The events already shown stay, with the reason they may be old. */
    private void onAuditProblem(String problem) {
        trail = new AuditTrail(trail.events(), Optional.of(problem));
    }

    private synchronized void publish(String part, Object content) {
        String encoded;
        try {
            encoded = json.writeValueAsString(content);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the fleet page's " + part + " cannot be written as JSON", e);
        }
        Frame previous = latest.get(part);
        if (previous == null || !previous.json().equals(encoded)) {
            Frame frame = new Frame(part, encoded);
            latest.put(part, frame);
            send(frame);
        }
    }

    private synchronized void send(Frame frame) {
        lastSent = System.nanoTime();
        pages.forEach(page -> page.emit(frame));
    }
}
