package com.example.fleet.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.example.fleet.balancing.rules.OutlierDetection;
import com.example.fleet.balancing.rules.PeakEwmaSettings;

import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.impl.RoundRobinLoadBalancer;

class PeakEwmaLoadBalancerProviderTest {

    @Test
    void attributesDefaultToTheDocumentedValues() {
        assertThat(PeakEwmaLoadBalancerProvider.settingsOf(new PeakEwmaConfiguration())).isEqualTo(new PeakEwmaSettings(
                Duration.ofSeconds(10), Duration.ofMillis(30), Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10),
                new OutlierDetection(5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10, 50)));
    }

    @Test
    void attributesAcceptQuarkusDurations() {
        PeakEwmaConfiguration config = new PeakEwmaConfiguration().withDecayTime("PT1M").withDefaultRtt("250ms")
                .withErrorPenalty("3").withEjectionCoolOff("1m").withProbeInterval("500ms").withCallTimeout("45s").withConsecutiveFailures(" 3")
                .withEjectionBase("10s").withMaxEjection("10s").withMaxEjectedPercent("100").withPanicThreshold("0");

        assertThat(PeakEwmaLoadBalancerProvider.settingsOf(config)).isEqualTo(new PeakEwmaSettings(Duration.ofMinutes(1),
                Duration.ofMillis(250), Duration.ofSeconds(3), Duration.ofMinutes(1), Duration.ofMillis(500),
                Duration.ofSeconds(45), Duration.ofSeconds(10),
                new OutlierDetection(3, Duration.ofSeconds(10), Duration.ofSeconds(10), 100, 0)));
    }

    @Test
    void badAttributesAreRejectedByName() {
        PeakEwmaLoadBalancerProvider provider = new PeakEwmaLoadBalancerProvider(name -> Optional.empty());

        assertThatThrownBy(() -> provider.createLoadBalancer(new PeakEwmaConfiguration(Map.of("default-rtt", "soon")),
                null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default-rtt");
        assertThatThrownBy(() -> provider.createLoadBalancer(new PeakEwmaConfiguration().withDecayTime("0s"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decay-time");
    }

    @Test
    void badOutlierAttributesAreRejectedByNameWithTheExpectedValues() {
        assertRejected(new PeakEwmaConfiguration().withConsecutiveFailures("0"),
                "peak-ewma load-balancer attribute consecutive-failures: '0' must be a whole number of at least 1");
        assertRejected(new PeakEwmaConfiguration().withConsecutiveFailures("five"),
                "peak-ewma load-balancer attribute consecutive-failures: 'five' is not a whole number of at least 1");
        assertRejected(new PeakEwmaConfiguration().withEjectionBase("-30s"),
                "peak-ewma load-balancer attribute ejection-base: '-30s' must be a positive duration");
        assertRejected(new PeakEwmaConfiguration().withMaxEjection("later"),
                "peak-ewma load-balancer attribute max-ejection: 'later' is not a duration");
        assertRejected(new PeakEwmaConfiguration().withMaxEjection("20s"),
                "peak-ewma load-balancer attribute max-ejection: '20s' is shorter than ejection-base ('30s')");
        assertRejected(new PeakEwmaConfiguration().withMaxEjectedPercent("101"),
                "peak-ewma load-balancer attribute max-ejected-percent: '101' must be a whole number from 0 to 100");
        assertRejected(new PeakEwmaConfiguration().withMaxEjectedPercent("10%"),
                "peak-ewma load-balancer attribute max-ejected-percent: '10%' is not a whole number from 0 to 100");
        assertRejected(new PeakEwmaConfiguration().withPanicThreshold("-1"),
                "peak-ewma load-balancer attribute panic-threshold: '-1' must be a whole number from 0 to 100");
    }

    @Test
    void balancerOfFindsThePeakEwmaBalancerOfAService() {
        LoadBalancer created = new PeakEwmaLoadBalancerProvider(name -> Optional.empty())
                .createLoadBalancer(new PeakEwmaConfiguration(), null);
        Map<String, LoadBalancer> services = Map.of("orders", created, "legacy", new RoundRobinLoadBalancer());
        PeakEwmaLoadBalancerProvider provider = new PeakEwmaLoadBalancerProvider(
                name -> Optional.ofNullable(services.get(name)));

        assertThat(provider.balancerOf("orders")).containsSame((PeakEwmaLoadBalancer) created);
        assertThat(provider.balancerOf("legacy")).isEmpty();
        assertThat(provider.balancerOf("unknown")).isEmpty();
    }

    private static void assertRejected(PeakEwmaConfiguration config, String message) {
        assertThatThrownBy(() -> PeakEwmaLoadBalancerProvider.settingsOf(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
