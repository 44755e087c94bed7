package com.example.fleet.discovery;

import java.util.List;
import java.util.Optional;

import com.example.fleet.discovery.InstanceFilter.Health;

/**
 * The attributes that Stork's {@code consul} discovery and consul-watch both have, each under its own name, so that
 * a Stork configuration works with only its type changed. Given under both names with different meanings, consul-watch's
 * own name wins, and a warning names the other one to remove.
 */
final class StorkSpellings {

    static final String APPLICATION = "application";
    static final String CONSUL_SERVICE = "consul-service";
    static final String USE_HEALTH_CHECKS = "use-health-checks";
    static final String ACCEPT_WARNING = "accept-warning";
    static final String REFRESH_PERIOD = "refresh-period";

    private StorkSpellings() {
    }

    /** {@code consul-service}, else Stork's {@code application}, else the Stork service's own name. */
    static String consulService(GivenAttributes given, List<AttributeNotice> notices) {
        Optional<String> ours = given.text(CONSUL_SERVICE);
        Optional<String> storks = given.text(APPLICATION);
        if (ours.isPresent() && storks.isPresent() && !ours.equals(storks)) {
            notices.add(AttributeNotice.warning(APPLICATION, given.property(APPLICATION) + "=" + storks.get()
                    + " disagrees with " + given.property(CONSUL_SERVICE) + "=" + ours.get() + ": watching Consul"
                    + " service '" + ours.get() + "'; remove " + APPLICATION + " (consul-watch's name is "
                    + CONSUL_SERVICE + ")"));
        }
        return ours.or(() -> storks).orElse(given.storkService());
    }

    /**
     * {@code accept-warning} (passing, or passing and warning), else Stork's {@code use-health-checks} (passing, or
     * any status), else passing only.
     */
    static Health health(GivenAttributes given, List<AttributeNotice> notices) {
        Optional<Health> ours = given.flag(ACCEPT_WARNING).map(accept -> accept ? Health.PASSING_OR_WARNING
                : Health.PASSING);
        Optional<Health> storks = given.flag(USE_HEALTH_CHECKS).map(use -> use ? Health.PASSING : Health.ANY);
        if (ours.isPresent() && storks.isPresent() && ours.get() != storks.get()) {
            notices.add(AttributeNotice.warning(USE_HEALTH_CHECKS, given.property(USE_HEALTH_CHECKS) + "="
                    + given.text(USE_HEALTH_CHECKS).get() + " (" + storks.get() + ") disagrees with "
                    + given.property(ACCEPT_WARNING) + "=" + given.text(ACCEPT_WARNING).get() + ": using " + ours.get()
                    + "; remove " + USE_HEALTH_CHECKS + ", or " + ACCEPT_WARNING + " to take every instance"));
        }
        return ours.or(() -> storks).orElse(Health.PASSING);
    }

    /** Stork's cache period means nothing to a watch, which sees each change as Consul makes it. */
    static void refreshPeriod(GivenAttributes given, List<AttributeNotice> notices) {
        given.text(REFRESH_PERIOD).ifPresent(value -> notices.add(AttributeNotice.info(REFRESH_PERIOD,
                given.property(REFRESH_PERIOD) + "=" + value + " has no effect: consul-watch sees each change as"
                        + " Consul makes it (blocking queries), it keeps no cache to refresh; the line can go")));
    }
}
