package com.example.fleet.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.example.fleet.testing.AppInstance;

/** Bad settings stop the packaged application at startup with a message that names the setting. */
class InvalidConfigurationIT {

    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void negativeTtlNamesTheProperty() {
        try (AppInstance app = AppInstance.start("bad-ttl", "127.0.0.1:1", "fleet.registration.ttl=-5s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.registration.ttl").contains("must be a positive duration");
        }
    }

    @Test
    void badConsulAddressNamesTheSetting() {
        try (AppInstance app = AppInstance.start("bad-address", "ftp://consul:8500")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.consul.address (CONSUL_HTTP_ADDR)")
                    .contains("the scheme must be http or https");
        }
    }

    @Test
    void deregisterAfterBelowConsulsMinimumIsRejected() {
        try (AppInstance app = AppInstance.start("bad-deregister", "127.0.0.1:1",
                "fleet.registration.deregister-critical-after=30s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.registration.deregister-critical-after")
                    .contains("below Consul's minimum of 1m");
        }
    }

    @Test
    void requiredConsulConfigurationFailsFastWhenTheAgentIsDown() {
        try (AppInstance app = AppInstance.start("required-config",
                Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:1"), "fleet.consul.config-mode=required")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.consul.config-mode=required")
                    .contains("cannot be reached");
        }
    }

    @Test
    void unreachableAgentDoesNotStopAnInstanceWithOptionalConfiguration() {
        try (AppInstance app = AppInstance.start("optional-config", "127.0.0.1:1")) {
            assertThat(app.get("/api/hello").statusCode()).isEqualTo(200);
            assertThat(app.get("/q/health/ready").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void ttlShorterThanThreeRequestTimeoutsNamesBothSettingsAndTheirValues() {
        try (AppInstance app = AppInstance.start("ttl-below-timeouts", "127.0.0.1:1", "fleet.registration.ttl=4s",
                "fleet.consul.request-timeout=2s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.registration.ttl (PT4S)")
                    .contains("at least 3 times fleet.consul.request-timeout (PT2S)");
        }
    }

    @Test
    void leaveTimeoutShorterThanOneDeregistrationAttemptNamesBothSettings() {
        try (AppInstance app = AppInstance.start("leave-below-attempt", "127.0.0.1:1",
                "fleet.registration.leave-timeout=1s", "fleet.consul.request-timeout=1s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.registration.leave-timeout (PT1S)")
                    .contains("at least 2 times fleet.consul.request-timeout (PT1S)");
        }
    }

    @Test
    void lockDelayAboveConsulsMaximumIsRejected() {
        try (AppInstance app = AppInstance.start("bad-lock-delay-high", "127.0.0.1:1", "fleet.scaling.lock-delay=61s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.scaling.lock-delay").contains("lock-delay range of 0s to 60s");
        }
    }

    @Test
    void negativeLockDelayIsRejected() {
        try (AppInstance app = AppInstance.start("bad-lock-delay-negative", "127.0.0.1:1",
                "fleet.scaling.lock-delay=-1s")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.scaling.lock-delay").contains("lock-delay range of 0s to 60s");
        }
    }

    @Test
    void watchWaitAboveTenMinutesIsRejected() {
        try (AppInstance app = AppInstance.start("bad-watch-wait", "127.0.0.1:1", "fleet.scaling.watch-wait=11m")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.scaling.watch-wait").contains("exceeds Consul's maximum wait of 10m");
        }
    }

    @Test
    void anUnknownActuatorNamesTheAcceptedOnes() {
        // the actuator beans are looked up by the exact text: a spelling only the enum converter took would find none
        try (AppInstance app = AppInstance.start("bad-actuator", "127.0.0.1:1", "fleet.scaling.actuator=LOCAL")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.scaling.actuator").contains("use one of none, local, kubernetes");
        }
    }

    @Test
    void theKubernetesActuatorNeedsABuildWithItsSwitch() {
        // the default build leaves the Kubernetes client out of the application
        try (AppInstance app = AppInstance.start("kubernetes-not-built", "127.0.0.1:1",
                "fleet.scaling.actuator=kubernetes")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.scaling.actuator: 'kubernetes' is not in this build")
                    .contains("./mvnw package -Dfleet.kubernetes=true");
        }
    }

    @Test
    void aDiscoveryStoreFileThatDoesNotExistNamesTheAttribute() {
        try (AppInstance app = AppInstance.start("bad-discovery-store", "127.0.0.1:1",
                "quarkus.stork.fleet-service.service-discovery.ssl=true",
                "quarkus.stork.fleet-service.service-discovery.trust-store-path=/no/such/truststore.p12")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("quarkus.stork.fleet-service.service-discovery.trust-store-path:"
                    + " /no/such/truststore.p12 does not exist or is not a file");
        }
    }

    @Test
    void theFleetPageOnTheManagementInterfaceNeedsABuildWithThatInterface() {
        // this build has no management interface: moving the page there at run time would serve it nowhere
        try (AppInstance app = AppInstance.start("page-without-management", "127.0.0.1:1",
                "fleet.api.on-management-interface=true")) {
            assertThat(app.awaitExit(EXIT)).isNotZero();
            assertThat(app.log()).contains("fleet.api.on-management-interface=true needs Quarkus' management"
                    + " interface").contains("build it with fleet.api.on-management-interface=true");
        }
    }
}
