package com.example.fleet.scaling.actuation;

import java.util.List;

/** How the local actuator starts one more instance of this application. */
interface InstanceLaunch {

    /**
     * The command line of an instance; it may block while it prepares the application.
     *
     * @param options the system properties ({@code -Dname=value}) the instance gets, in place of any of the same
     *        name this process runs with
     */
    List<String> command(List<String> options);

    /** The application stops: ends what {@link #command} may still be preparing. */
    void cancel();

    /** Whether an argument of this process sets a property that {@code options} give the instance instead. */
    static boolean replaced(String argument, List<String> options) {
        return options.stream().anyMatch(option -> argument.startsWith(option.substring(0, option.indexOf('=') + 1)));
    }
}
