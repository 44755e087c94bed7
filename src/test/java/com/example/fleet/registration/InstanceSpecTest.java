package com.example.fleet.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import com.example.fleet.support.FleetZone;

import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.ServiceOptions;

class InstanceSpecTest {

    private final InstanceSpec spec = new InstanceSpec("fleet-service-10.0.0.7-8080", "fleet-service", "10.0.0.7",
            8080, "1.2.3", "prod", 5, List.of("canary"), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Optional.of(new InstanceSpec.HttpCheck("http://10.0.0.7:8080/q/health/ready", Duration.ofSeconds(10))),
            OptionalInt.empty(), Optional.empty());

    @Test
    void idIsUniquePerAddressAndPort() {
        assertThat(InstanceSpec.instanceId("svc", "10.0.0.7", 8080)).isEqualTo("svc-10.0.0.7-8080");
        assertThat(InstanceSpec.instanceId("svc", "fe80::1", 8080)).isEqualTo("svc-fe80--1-8080");
    }

    @Test
    void registersVersionEnvironmentAndWeightAsTagsAndMeta() {
        ServiceOptions options = spec.toServiceOptions();
        assertThat(options.getTags()).containsExactly("version=1.2.3", "env=prod", "weight=5", "canary");
        assertThat(options.getMeta()).containsEntry("version", "1.2.3").containsEntry("environment", "prod")
                .containsEntry("weight", "5").doesNotContainKey("management-port").doesNotContainKey("zone");
    }

    @Test
    void publishesItsZoneInMetaWhenItHasOne() {
        InstanceSpec inZone = new InstanceSpec(spec.id(), spec.serviceName(), spec.address(), spec.port(),
                spec.version(), spec.environment(), spec.weight(), spec.extraTags(), spec.ttl(),
                spec.deregisterCriticalAfter(), Optional.empty(), OptionalInt.empty(), Optional.of("eu-west-1a"));
        assertThat(inZone.toServiceOptions().getMeta()).containsEntry("zone", "eu-west-1a");
    }

    @Test
    void aZoneNameIsCheckedAndABlankOneIsNone() {
        assertThat(FleetZone.parse(Optional.of(" eu-west-1a "))).contains("eu-west-1a");
        assertThat(FleetZone.parse(Optional.of(""))).isEmpty();
        assertThatThrownBy(() -> FleetZone.parse(Optional.of("zone a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fleet.zone (FLEET_ZONE): 'zone a' is not a zone name: at most 63 letters, digits, '.', '_'"
                        + " and '-', beginning and ending with a letter or digit");
    }

    @Test
    void publishesTheManagementPortOnlyWhenTheManagementInterfaceIsEnabled() {
        InstanceSpec withManagement = new InstanceSpec(spec.id(), spec.serviceName(), spec.address(), spec.port(),
                spec.version(), spec.environment(), spec.weight(), spec.extraTags(), spec.ttl(),
                spec.deregisterCriticalAfter(), Optional.empty(), OptionalInt.of(9000), Optional.empty());
        assertThat(withManagement.toServiceOptions().getMeta()).containsEntry("management-port", "9000");
    }

    @Test
    void ttlCheckStartsPassingAndHeartbeatsComeEveryThirdOfIt() {
        ServiceOptions options = spec.toServiceOptions();
        assertThat(options.getCheckListOptions()).hasSize(2);
        assertThat(options.getCheckListOptions().get(0).getStatus()).isEqualTo(CheckStatus.PASSING);
        assertThat(options.getCheckListOptions().get(0).getTtl()).isEqualTo("30000ms");
        assertThat(options.getCheckListOptions().get(0).getDeregisterAfter()).isEqualTo("60s");
        assertThat(options.getCheckListOptions().get(1).getHttp()).endsWith("/q/health/ready");
        assertThat(spec.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesAPortNoServerCanListenOn() {
        for (int port : new int[] { -1, 0, 65536 }) {
            assertThatThrownBy(() -> new InstanceSpec("svc-10.0.0.7-" + port, "svc", "10.0.0.7", port, "1", "prod", 1,
                    List.of(), Duration.ofSeconds(30), Duration.ofMinutes(1), Optional.empty(), OptionalInt.empty(),
                    Optional.empty())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be 1-65535, got " + port)
                    .hasMessageContaining("fleet.registration.port");
        }
    }

    @Test
    void convertersNameWhatIsWrong() {
        assertThatThrownBy(() -> new ServiceNameConverter().convert("-bad_name"))
                .hasMessageContaining("not a valid Consul service name");
        assertThatThrownBy(() -> new WeightConverter().convert("0")).hasMessageContaining("outside 1-1000");
    }
}
