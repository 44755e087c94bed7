package com.example.fleet.scaling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.example.fleet.consul.ConsulSettings;
import com.example.fleet.process.JvmBoundProcess;

import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.runtime.ImageMode;
import io.vertx.mutiny.ext.consul.ConsulClient;

/**
 * Actuator {@code local}, for dev mode, demos and plain VMs: scales out by starting more instances of this same
 * packaged application as child processes on free ports (same JVM options, same Consul), and scales in through
 * the drain protocol, so it can also remove instances it did not start. Children end with the leader's JVM.
 */
@ApplicationScoped
@LookupIfProperty(name = ActuatorName.PROPERTY, stringValue = ActuatorName.LOCAL)
public class LocalActuator implements Actuator {

    private static final Logger LOG = Logger.getLogger(LocalActuator.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /**
     * A child gets its own port to listen on and to register with: an inherited registration port (option or
     * FLEET_REGISTRATION_PORT) would give it the leader's instance ID.
     */
    private static final List<String> PORT_OPTIONS = List.of("-Dquarkus.http.port=", "-Dfleet.registration.port=");

    @Inject
    ScalingSettings settings;
    @Inject
    ConsulSettings consulSettings;
    @Inject
    ConsulClient consul;
    @Inject
    AuditLog audit;

    private final List<Child> children = new ArrayList<>();
    private Path logs;

    /** A started instance; its port is chosen here so that the leader knows what Consul must show for it. */
    private record Child(JvmBoundProcess process, Path log, int port, Instant started) {
    }

    @Override
    public synchronized void scaleOut(int count, String traceId) {
        Map<String, String> environment = new HashMap<>();
        environment.put("CONSUL_HTTP_ADDR", consulSettings.address().toString());
        // the same agent, token (a file, so children follow its rotations too) and TLS files as the leader
        consulSettings.tokenFile().ifPresentOrElse(file -> environment.put("CONSUL_HTTP_TOKEN_FILE", file.toString()),
                () -> consulSettings.token().ifPresent(token -> environment.put("CONSUL_HTTP_TOKEN", token)));
        ConsulSettings.Tls tls = consulSettings.tls();
        environment.put("CONSUL_HTTP_SSL", Boolean.toString(consulSettings.https()));
        environment.put("CONSUL_HTTP_SSL_VERIFY", Boolean.toString(tls.verify()));
        tls.caCert().ifPresent(file -> environment.put("CONSUL_CACERT", file.toString()));
        tls.caPath().ifPresent(dir -> environment.put("CONSUL_CAPATH", dir.toString()));
        tls.clientCert().ifPresent(file -> environment.put("CONSUL_CLIENT_CERT", file.toString()));
        tls.clientKey().ifPresent(file -> environment.put("CONSUL_CLIENT_KEY", file.toString()));
        tls.serverName().ifPresent(name -> environment.put("CONSUL_TLS_SERVER_NAME", name));
        children.removeIf(child -> !child.process().isAlive());
        for (int port : freePorts(count)) {
            Path log = logs().resolve("instance-" + SEQUENCE.incrementAndGet() + ".log");
            try {
                children.add(new Child(JvmBoundProcess.start(command(port), environment, log), log, port,
                        Instant.now()));
            } catch (IOException e) {
                throw new UncheckedIOException("could not start an instance: " + e.getMessage(), e);
            }
            audit.record(traceId, "instance-started", settings.service(), Optional.empty(), Optional.of(log.toString()),
                    "scale-out by the local actuator on port " + port);
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

    /** Children that still run; they register with this host's address, so only their port is known. */
    @Override
    public synchronized List<RunningInstance> running() {
        return children.stream().filter(child -> child.process().isAlive())
                .map(child -> new RunningInstance("port " + child.port() + " (log " + child.log() + ")",
                        Optional.empty(), OptionalInt.of(child.port()), child.started()))
                .toList();
    }

    /**
     * Ports free right now, held together until all are chosen so that no two children get the same one. A
     * child that still loses its port to another process exits, and the next reconcile replaces it.
     */
    private static List<Integer> freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for a new instance: " + e.getMessage(), e);
        } finally {
            held.forEach(LocalActuator::closeQuietly);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing the probe socket of port %d", socket.getLocalPort());
        }
    }

    /**
     * This application again with the options it got, but another HTTP port and no debugger: for the JVM, java,
     * its JVM options, -jar and its own jar; for a native executable, the executable and its arguments.
     */
    private static List<String> command(int port) {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        command.add(self.command().orElseThrow(
                () -> new IllegalStateException("the operating system does not tell this process's command")));
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            Arrays.stream(self.arguments().orElse(new String[0])).filter(argument -> !isPortOption(argument))
                    .forEach(command::add);
            PORT_OPTIONS.forEach(option -> command.add(option + port));
            return command;
        }
        String jar = jarOf(self.arguments().orElse(new String[0])).orElseThrow(() -> new IllegalStateException(
                "fleet.scaling.actuator=local starts instances of the packaged application: run it with"
                        + " java -jar target/quarkus-app/quarkus-run.jar or as a native executable"));
        // a debugger port cannot be shared
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> !isPortOption(option) && !option.contains("jdwp"))
                .forEach(command::add);
        PORT_OPTIONS.forEach(option -> command.add(option + port));
        command.addAll(List.of("-jar", jar));
        return command;
    }

    private static boolean isPortOption(String argument) {
        return PORT_OPTIONS.stream().anyMatch(argument::startsWith);
    }

    private static Optional<String> jarOf(String[] arguments) {
        for (int i = 0; i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-jar")) {
                return Optional.of(arguments[i + 1]);
            }
        }
        return Optional.empty();
    }

    private Path logs() {
        if (logs == null) {
            try {
                logs = Files.createTempDirectory("fleet-instances");
                LOG.infof("Instances started by the local actuator log to %s", logs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return logs;
    }
}
