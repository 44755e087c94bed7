package com.example.fleet.scaling.actuation;

import com.example.fleet.scaling.ScalingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.config.SmallRyeConfig;

/**
 * How a dev-mode leader starts instances: {@code java -jar} of this application packaged ({@link DevModePackage}).
 * <p>
 * Dev mode runs no packaged application. Its JVM runs the Quarkus Maven plugin's launcher,
 * {@code target/<artifact>-dev.jar} (a manifest class path and a serialized dev-mode context), with a class-change
 * agent and a debugger on 5005: started again, that launcher would be a second dev mode, with its own augmentation,
 * its own Dev UI, and its own watcher compiling into the same {@code target/classes} whenever it sees a change. The
 * classes Quarkus generates for this process exist only in its memory, so no main class of the application can be
 * run from its class path either. A package, built once per start of the application, starts in seconds, runs the
 * code this process runs, and is what production runs.
 * <p>
 * The instances run with this process's profiles, so that they read the same {@code %dev} settings, and listen on
 * its HTTP host; none of its JVM options (agent, debugger) are passed on. They start no Consul agent: they are not
 * in dev mode, and CONSUL_HTTP_ADDR names this process's agent.
 */
final class DevModeLaunch implements InstanceLaunch {

    private final DevModePackage application;
    private final List<String> profiles;
    private final String httpHost;

    DevModeLaunch(ScalingSettings.DevModePackaging build) {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        this.application = new DevModePackage(build);
        this.profiles = config.getProfiles();
        this.httpHost = config.getValue("quarkus.http.host", String.class);
    }

    @Override
    public List<String> command(List<String> options) {
        Path jar = application.jar();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // quick to start and light, as dev mode's own JVM is
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dquarkus.profile=" + String.join(",", profiles));
        command.add("-Dquarkus.http.host=" + httpHost);
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    @Override
    public void cancel() {
        application.cancel();
    }
}
