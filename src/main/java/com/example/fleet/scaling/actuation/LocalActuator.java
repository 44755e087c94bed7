package com.example.fleet.scaling.actuation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulSettings;
import com.example.fleet.consul.tls.TlsSettings;
import com.example.fleet.process.JvmBoundProcess;
import com.example.fleet.scaling.FleetMember;
import com.example.fleet.scaling.RunningInstance;
import com.example.fleet.scaling.ScalingSettings;
import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.support.Folders;

import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.runtime.LaunchMode;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Actuator {@code local}, for dev mode, demos and plain VMs: scales out by starting more instances of this same
 * application as child processes on free ports (same Consul; a packaged application passes on its JVM options, dev
 * mode packages itself first, see {@link DevModeLaunch}), and scales in through the drain protocol, so it can also
 * remove instances it did not start. Children end with the application that started them, and with its JVM even
 * when that is killed.
 */
@ApplicationScoped
@LookupIfProperty(name = ActuatorName.PROPERTY, stringValue = ActuatorName.LOCAL)
public class LocalActuator implements Actuator {

    private static final Logger LOG = Logger.getLogger(LocalActuator.class);
    /** Set once the configured logs folder was emptied in this JVM. */
    private static final String LOGS_EMPTIED = "fleet-local-instance-logs-emptied";
    /**
     * A child never runs for leader: it ends with the process that started it, so its leadership would end with it,
     * and a child that took over from its stopping parent would start instances of its own.
     */
    private static final String NO_CANDIDATE = "-Dfleet.scaling.leader-candidate=false";
    /** A child leaves Consul, waits the shutdown delay and finishes its requests (at most quarkus.shutdown.timeout). */
    private static final Duration CHILD_STOP_GRACE = Duration.ofSeconds(20);

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulSettings consulSettings;
    @Inject
    ConsulClient consul;
    @Inject
    AuditLog audit;

    private final List<Child> children = new ArrayList<>();
    private InstanceLaunch launch;
    private Path logs;
    private boolean temporaryLogs;
    private boolean stopped;

    /** A started instance; its port is chosen here so that the leader knows what Consul must show for it. */
    private record Child(JvmBoundProcess process, Path log, int port, Instant started) {
    }

    @PostConstruct
    void chooseLaunch() {
        launch = LaunchMode.current() == LaunchMode.DEVELOPMENT ? new DevModeLaunch(settings.local())
                : new OwnCommandLaunch();
    }

    @Override
    public synchronized void scaleOut(int count, String traceId) {
        Map<String, String> environment = new HashMap<>();
        environment.put("CONSUL_HTTP_ADDR", consulSettings.address().toString());
        // the same agent, token (a file, so children follow its rotations too) and TLS files as the leader
        consulSettings.tokenFile().ifPresentOrElse(file -> environment.put("CONSUL_HTTP_TOKEN_FILE", file.toString()),
                () -> consulSettings.token().ifPresent(token -> environment.put("CONSUL_HTTP_TOKEN", token)));
        TlsSettings tls = consulSettings.tls();
        environment.put("CONSUL_HTTP_SSL", Boolean.toString(consulSettings.https()));
        environment.put("CONSUL_HTTP_SSL_VERIFY", Boolean.toString(tls.verify()));
        tls.caCert().ifPresent(file -> environment.put("CONSUL_CACERT", file.toString()));
        tls.caPath().ifPresent(dir -> environment.put("CONSUL_CAPATH", dir.toString()));
        tls.clientCert().ifPresent(file -> environment.put("CONSUL_CLIENT_CERT", file.toString()));
        tls.clientKey().ifPresent(file -> environment.put("CONSUL_CLIENT_KEY", file.toString()));
        tls.serverName().ifPresent(name -> environment.put("CONSUL_TLS_SERVER_NAME", name));
        children.removeIf(child -> !child.process().isAlive());
        for (InstancePorts ports : InstancePorts.free(count)) {
            List<String> options = new ArrayList<>(ports.options());
            options.add(NO_CANDIDATE);
            List<String> command = launch.command(options);
            if (stopped) {
                throw new IllegalStateException("the application is stopping: no instance is started");
            }
            Path log = logs().resolve("instance-" + ports.http() + ".log");
            try {
                children.add(new Child(JvmBoundProcess.start(command, environment, log), log, ports.http(),
                        Instant.now()));
            } catch (IOException e) {
                throw new UncheckedIOException("could not start an instance: " + e.getMessage(), e);
            }
            audit.record(traceId, "instance-started", settings.service(), Optional.empty(), Optional.of(log.toString()),
                    "scale-out by the local actuator on port " + ports.http());
        }
    }

    @Override
    public void scaleIn(List<FleetMember> victims, String traceId) {
        for (FleetMember victim : victims) {
            consul.putValue(settings.drainKey(victim.id()), traceId).await().atMost(Duration.ofSeconds(5));
            audit.record(traceId, "instance-drain-requested", settings.service(), Optional.of(victim.id()),
                    Optional.empty(), "scale-in by the local actuator");
        }
    }

    /**
     * The children end with the application that started them, each leaving Consul first: at shutdown, and in dev
     * mode also at a live reload, whose new code then starts instances of its own.
     */
    @PreDestroy
    void stopChildren() {
        // not under the lock: a scale-out that holds it may be waiting for what this ends
        launch.cancel();
        List<JvmBoundProcess> running;
        synchronized (this) {
            stopped = true;
            running = children.stream().map(Child::process).filter(JvmBoundProcess::isAlive).toList();
            children.clear();
        }
        if (!running.isEmpty()) {
            LOG.infof("Stopping the %d instance(s) the local actuator started", running.size());
            JvmBoundProcess.stopAll(running, CHILD_STOP_GRACE);
        }
        if (temporaryLogs) {
            Folders.deleteTree(logs);
        }
    }

    /** Children that still run; they register with this host's address, so only their port is known. */
    @Override
    public synchronized List<RunningInstance> running() {
        return children.stream().filter(child -> child.process().isAlive())
                .map(child -> new RunningInstance("port " + child.port() + " (log " + child.log() + ")",
                        Optional.empty(), OptionalInt.of(child.port()), child.started()))
                .toList();
    }

    /**
     * The folder of the children's logs, created at the first scale-out: the configured one (dev mode's, under
     * target/), emptied once per JVM so that runs do not pile up; else a temporary one, removed at shutdown.
     */
    private Path logs() {
        if (logs == null) {
            try {
                Optional<Path> configured = settings.local().logs();
                if (configured.isPresent()) {
                    logs = Files.createDirectories(configured.get());
                    if (System.getProperty(LOGS_EMPTIED) == null) {
                        // a live reload loads this class again: the JVM remembers that this run emptied it
                        System.setProperty(LOGS_EMPTIED, "true");
                        Folders.deleteContents(logs);
                    }
                } else {
                    logs = Files.createTempDirectory("fleet-instances");
                    temporaryLogs = true;
                }
                LOG.infof("Instances started by the local actuator log to %s", logs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return logs;
    }
}
