package com.example.fleet.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.example.fleet.discovery.InstanceFilter.Health;

/**
 * What consul-watch makes of Stork's attribute names next to its own: the value it uses, and one notice per attribute
 * that is ignored, in conflict or without effect, naming the property and what to write instead.
 */
class AttributeNoticesTest {

    private static final String WHERE = "quarkus.stork.svc.service-discovery.";
    private final List<AttributeNotice> notices = new ArrayList<>();

    private static GivenAttributes given(String... keyValues) {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return new GivenAttributes("svc", values);
    }

    private List<String> attributes() {
        return notices.stream().map(AttributeNotice::attribute).toList();
    }

    @Test
    void storksApplicationNamesTheConsulServiceUnlessConsulServiceSaysOtherwise() {
        assertThat(StorkSpellings.consulService(given(), notices)).isEqualTo("svc");
        assertThat(StorkSpellings.consulService(given("application", "other"), notices)).isEqualTo("other");
        assertThat(StorkSpellings.consulService(given("application", "same", "consul-service", "same"), notices))
                .isEqualTo("same");
        assertThat(notices).isEmpty();

        assertThat(StorkSpellings.consulService(given("application", "other", "consul-service", "ours"), notices))
                .isEqualTo("ours");
        assertThat(notices).singleElement().satisfies(notice -> {
            assertThat(notice.warning()).isTrue();
            assertThat(notice.attribute()).isEqualTo("application");
            assertThat(notice.text()).isEqualTo(WHERE + "application=other disagrees with " + WHERE
                    + "consul-service=ours: watching Consul service 'ours'; remove application (consul-watch's name"
                    + " is consul-service)");
        });
    }

    @Test
    void storksUseHealthChecksMeansWhatItMeansInStorkAndAcceptWarningWinsAConflict() {
        assertThat(StorkSpellings.health(given(), notices)).isEqualTo(Health.PASSING);
        assertThat(StorkSpellings.health(given("use-health-checks", "false"), notices)).isEqualTo(Health.ANY);
        assertThat(StorkSpellings.health(given("use-health-checks", "TRUE"), notices)).isEqualTo(Health.PASSING);
        assertThat(StorkSpellings.health(given("use-health-checks", "true", "accept-warning", "false"), notices))
                .isEqualTo(Health.PASSING);
        assertThat(notices).isEmpty();

        assertThat(StorkSpellings.health(given("use-health-checks", "false", "accept-warning", "true"), notices))
                .isEqualTo(Health.PASSING_OR_WARNING);
        assertThat(notices).singleElement().satisfies(notice -> assertThat(notice.text()).isEqualTo(WHERE
                + "use-health-checks=false (every instance, critical ones included) disagrees with " + WHERE
                + "accept-warning=true: using passing and warning instances; remove use-health-checks, or"
                + " accept-warning to take every instance"));
    }

    @Test
    void aRefreshPeriodIsAcceptedAndSaidToDoNothing() {
        StorkSpellings.refreshPeriod(given("refresh-period", "5M"), notices);

        assertThat(notices).singleElement().satisfies(notice -> {
            assertThat(notice.warning()).isFalse();
            assertThat(notice.text()).startsWith(WHERE + "refresh-period=5M has no effect");
        });
    }

    @Test
    void everyUnknownAttributeIsNamedOnceWithTheClosestKnownOneOrTheWholeList() {
        new UnknownAttributes(ConsulWatchServiceDiscoveryProvider.class).report(given("refresh-perod", "5M",
                "consul-prot", "8500", "no-such-thing", "1", "type", "consul-watch", "wait", "1m"), notices);

        assertThat(attributes()).containsExactly("consul-prot", "no-such-thing", "refresh-perod");
        assertThat(notices.get(0).text()).isEqualTo(WHERE + "consul-prot is not an attribute of consul-watch and is"
                + " ignored; did you mean " + WHERE + "consul-port?");
        assertThat(notices.get(1).text()).contains("consul-watch has accept-warning, acl-token, application,")
                .contains("verify-host, wait");
        assertThat(notices.get(2).text()).endsWith("did you mean " + WHERE + "refresh-period?");
    }

    @Test
    void storeAttributesWithoutAnEffectAreNamed() {
        GivenAttributes given = given("trust-store-password", "changeit", "verify-host", "false", "ssl", "false");

        AgentAttributes.read(given, notices);
        AgentAttributes.withoutHttps(given, notices);

        assertThat(attributes()).containsExactly("trust-store-password", "trust-store-password", "verify-host");
        assertThat(notices.get(0).text()).isEqualTo(WHERE + "trust-store-password has no effect without " + WHERE
                + "trust-store-path: give the store's path, or remove the password");
        assertThat(notices.get(2).text()).isEqualTo(WHERE + "verify-host has no effect: this discovery talks to"
                + " Consul over plain HTTP; set " + WHERE + "ssl=true (or give the application's agent as https://),"
                + " or remove it");
    }

    @Test
    void storksAgentAttributesBecomeOverridesOfTheApplicationsSettings() {
        var agent = AgentAttributes.read(given("consul-host", "consul.internal", "consul-port", "8501", "ssl", "true",
                "acl-token", "secret", "verify-host", "false"), notices);

        assertThat(agent.host()).contains("consul.internal");
        assertThat(agent.port()).contains(8501);
        assertThat(agent.https()).contains(true);
        assertThat(agent.token().orElseThrow().current()).contains("secret");
        assertThat(agent.token().orElseThrow().source()).isEqualTo("in " + WHERE + "acl-token");
        assertThat(agent.tls().verifyHost()).contains(false);
        assertThat(AgentAttributes.read(given("consul-host", "[::1]"), notices).host()).contains("::1");
        assertThat(notices).isEmpty();
    }
}
