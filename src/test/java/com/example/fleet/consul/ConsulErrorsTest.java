package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import io.vertx.core.VertxException;

/** The texts below are what the Vert.x client reports for the answers Consul 1.8.7 gives. */
class ConsulErrorsTest {

    private static VertxException answer(String status, String body) {
        return new VertxException(String.format("Status message: '%s'. Body: '%s' ", status, body), true);
    }

    @Test
    void namesTheMissingPermissionOfA403() {
        VertxException denied = answer("Forbidden", "Permission denied");
        assertThat(ConsulErrors.isAccessDenied(denied)).isTrue();
        assertThat(ConsulErrors.describe(denied, "register x", "service:write on \"x\""))
                .contains("needs service:write on \"x\"").contains("CONSUL_HTTP_TOKEN");
    }

    @Test
    void saysWhenTheTokenIsUnknown() {
        assertThat(ConsulErrors.describe(answer("Forbidden", "ACL not found"), "register x", "service:write"))
                .contains("unknown to Consul");
    }

    @Test
    void recognisesALostTtlCheck() {
        VertxException lost = answer("Internal Server Error", "CheckID \"a:ttl\" does not have associated TTL");
        assertThat(ConsulErrors.isUnknownCheck(lost)).isTrue();
        assertThat(ConsulErrors.isAccessDenied(lost)).isFalse();
    }

    @Test
    void recognisesAnAgentThatIsNotListening() {
        RuntimeException refused = new RuntimeException(new ConnectException("Connection refused"));
        assertThat(ConsulErrors.isConnectionRefused(refused)).isTrue();
        assertThat(ConsulErrors.describe(refused, "register x", "p")).contains("unreachable");
    }
}
