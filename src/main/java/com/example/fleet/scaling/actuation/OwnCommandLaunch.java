package com.example.fleet.scaling.actuation;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.ImageMode;

/**
 * A packaged application starts instances with its own command line, their own options and no debugger: for the
 * JVM, java, its JVM options, -jar and its own jar; for a native executable, the executable and its arguments.
 */
final class OwnCommandLaunch implements InstanceLaunch {

    @Override
    public List<String> command(List<String> options) {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        command.add(self.command().orElseThrow(
                () -> new IllegalStateException("the operating system does not tell this process's command")));
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            Arrays.stream(self.arguments().orElse(new String[0]))
                    .filter(argument -> !InstanceLaunch.replaced(argument, options)).forEach(command::add);
            command.addAll(options);
            return command;
        }
        String jar = jarOf(self.arguments().orElse(new String[0])).orElseThrow(() -> new IllegalStateException(
                "fleet.scaling.actuator=local starts instances of the packaged application: run it with"
                        + " java -jar target/quarkus-app/quarkus-run.jar, or as a native executable"));
        // a debugger port cannot be shared
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> !InstanceLaunch.replaced(option, options) && !option.contains("jdwp"))
                .forEach(command::add);
        command.addAll(options);
        command.addAll(List.of("-jar", jar));
        return command;
    }

    @Override
    public void cancel() {
        // nothing is prepared: the command is this process's own
    }

    private static Optional<String> jarOf(String[] arguments) {
        for (int i = 0; i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-jar")) {
                return Optional.of(arguments[i + 1]);
            }
        }
        return Optional.empty();
    }
}
