package com.example.fleet.scaling.policy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.example.fleet.scaling.audit.AuditLog;
import com.example.fleet.testing.AuditCapture;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/** The policy key watched on a real agent: values applied, bad ones refused with the last good kept, audited. */
@QuarkusTest
@QuarkusTestResource(value = ConsulTestResource.class, restrictToAnnotatedClass = true)
class PolicyWatchTest {

    private static final String KEY = "config/fleet-service/replicas";
    @RegisterExtension
    static final AuditCapture AUDIT = new AuditCapture(AuditLog.CATEGORY);

    private static ConsulApi consul() {
        return new ConsulApi(ConsulTestResource.agent().address());
    }

    private static JsonPath policy() {
        return given().get("/api/fleet/policy").then().statusCode(200).extract().jsonPath();
    }

    private static void awaitReplicas(int replicas) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Integer current = policy().get("policy.replicas");
            return current != null && current == replicas;
        });
    }

    private static List<JsonObject> audit(String event) {
        return AUDIT.lines(event);
    }

    @Test
    void followsTheKeyRefusesBadValuesAndAuditsEveryStep() {
        // a fresh agent has no key: no policy, and the watch blocks on the missing key
        await().atMost(Duration.ofSeconds(10)).until(() -> policy().getString("source").contains("does not exist"));
        assertThat((Object) policy().get("policy")).isNull();

        consul().putKey(KEY, "3");
        awaitReplicas(3);
        consul().putKey(KEY, "{\"replicas\":2,\"min\":1,\"max\":5,\"scaleInOrder\":\"lowest-load\"}");
        awaitReplicas(2);
        // as written in the key, not as the Java enum is named
        assertThat(policy().getString("policy.scaleInOrder")).isEqualTo("lowest-load");

        List<String> bad = List.of("-1", "three", "{\"replicas\":9,\"max\":5}", "{\"replica\":2}", "{\"replicas\":\"2\"}",
                "{\"replicas\":2,\"min\":4,\"max\":3}", "{\"replicas\":2,\"scaleInOrder\":\"random\"}", "", "2.5");
        for (String value : bad) {
            int rejectionsBefore = audit("policy-rejected").size();
            consul().putKey(KEY, value);
            await().atMost(Duration.ofSeconds(10)).until(() -> audit("policy-rejected").size() > rejectionsBefore);
            assertThat(policy().getInt("policy.replicas")).as("last good kept after %s", value).isEqualTo(2);
            assertThat(policy().getString("lastRejection.reason")).startsWith("invalid replica policy");
        }
        consul().putKey(KEY, new byte[] { 0x01, (byte) 0xff, 0x00 });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> policy().getString("lastRejection.reason").contains("UTF-8"));
        assertThat(policy().getInt("policy.replicas")).isEqualTo(2);

        consul().deleteKey(KEY);
        await().atMost(Duration.ofSeconds(10)).until(() -> policy().get("policy") == null);

        List<JsonObject> changes = audit("policy-changed");
        assertThat(changes).hasSize(2);
        assertThat(changes.get(1).getString("old")).contains("\"replicas\":3");
        assertThat(changes.get(1).getString("new")).contains("\"replicas\":2");
        assertThat(audit("policy-rejected")).hasSizeGreaterThanOrEqualTo(bad.size() + 1)
                .allSatisfy(line -> assertThat(line.getString("reason")).isNotBlank());
        assertThat(audit("policy-removed")).hasSize(1);
        assertThat(AUDIT.all()).allSatisfy(line -> {
            assertThat(line.getString("traceId")).matches("[0-9a-f]{32}");
            assertThat(line.getString("instance")).startsWith("fleet-service-");
        });
    }
}
