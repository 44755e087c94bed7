package com.example.fleet.consul.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.example.fleet.support.Folders;
import com.example.fleet.testing.AppInstance;
import com.example.fleet.testing.ConsulApi;
import com.example.fleet.testing.ConsulCertificates;
import com.example.fleet.testing.ConsulDevAgent;

import io.vertx.core.json.JsonObject;

/**
 * The application against an agent that serves HTTPS with a private CA and requires client certificates, set up
 * only through the Consul CLI's variables and the PEM files {@code consul tls} writes.
 */
class ConsulTlsIT {

    private static final String GREETING = "Hello over HTTPS with a client certificate";

    private static Path dir;
    private static ConsulCertificates certificates;
    private static ConsulDevAgent agent;

    @BeforeAll
    static void startAgent() throws Exception {
        dir = Files.createTempDirectory("consul-tls");
        certificates = ConsulCertificates.create(dir);
        agent = ConsulDevAgent.startWithHttps(certificates, true);
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
        if (dir != null) {
            Folders.deleteTree(dir);
        }
    }

    /** The agent's plain HTTP port, for the test's own look at Consul. */
    private static ConsulApi consul() {
        return new ConsulApi(agent.address());
    }

    private static Map<String, String> variables(boolean clientCertificate) {
        Map<String, String> environment = new HashMap<>(Map.of("CONSUL_HTTP_ADDR", agent.httpsAddress(),
                "CONSUL_CACERT", certificates.ca().toString()));
        if (clientCertificate) {
            environment.put("CONSUL_CLIENT_CERT", certificates.clientCert().toString());
            environment.put("CONSUL_CLIENT_KEY", certificates.clientKey().toString());
        }
        return environment;
    }

    @Test
    void withTheCliVariablesAnInstanceReadsKvRegistersWatchesAndLeadsOverHttps() {
        consul().putKey("config/fleet-service/greeting/message", GREETING);
        // required: the start fails unless configuration is read over HTTPS presenting the client certificate
        try (AppInstance app = AppInstance.start("tls", variables(true), "fleet.registration.ttl=3s",
                "fleet.consul.config-mode=required")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consul().checkStatus(app.instanceId() + ":ttl")
                    .equals(Optional.of("passing")));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.get("/api/fleet").body()
                    .contains("\"port\":" + app.port()));
            assertThat(app.get("/api/hello").body()).contains(GREETING);
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/api/fleet/leader").body()
                    .contains("\"leader\":true"));
            consul().putKey("config/fleet-service/replicas", "1");
            await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(app.get("/api/fleet/policy").body())
                    .getJsonObject("policy", new JsonObject()).getInteger("replicas", -1) == 1);

            app.stopGracefully();
            assertThat(consul().agentServices().containsKey(app.instanceId())).isFalse();
        } finally {
            consul().deleteKey("config/fleet-service/greeting/message");
        }
    }

    @Test
    void configurationFromKvIsReadOverHttpsTrustingThePrivateCa() {
        try (ConsulDevAgent plainTls = ConsulDevAgent.startWithHttps(certificates, false)) {
            new ConsulApi(plainTls.address()).putKey("config/fleet-service/greeting/message", GREETING);
            // required: the start fails unless KV is read over HTTPS, trusting CONSUL_CACERT
            try (AppInstance app = AppInstance.start("tls-kv", Map.of("CONSUL_HTTP_ADDR", plainTls.httpsAddress(),
                    "CONSUL_CACERT", certificates.ca().toString()), "fleet.consul.config-mode=required")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
                assertThat(app.get("/api/hello").body()).contains(GREETING);
            }
        }
    }

    @Test
    void aCaPathIsTrustedTogetherWithTheCaCertAlsoForKv() throws Exception {
        Path cas = Files.createDirectories(dir.resolve("ca-path"));
        Files.copy(certificates.ca(), cas.resolve("consul-agent-ca.pem"));
        ConsulCertificates unrelated = ConsulCertificates.create(dir.resolve("unrelated"));
        try (ConsulDevAgent plainTls = ConsulDevAgent.startWithHttps(certificates, false)) {
            new ConsulApi(plainTls.address()).putKey("config/fleet-service/greeting/message", GREETING);
            // CONSUL_CACERT names another CA: only the directory's makes the agent trusted, for KV (required) too
            try (AppInstance app = AppInstance.start("tls-ca-path", Map.of("CONSUL_HTTP_ADDR", plainTls.httpsAddress(),
                    "CONSUL_CACERT", unrelated.ca().toString(), "CONSUL_CAPATH", cas.toString()),
                    "fleet.consul.config-mode=required", "fleet.registration.ttl=3s")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);
                assertThat(app.get("/api/hello").body()).contains(GREETING);
            }
        }
    }

    @Test
    void withTheServerNameAnInstanceReadsKvAndRegistersAtANodeAddressTheAgentCertificateDoesNotName() {
        try (ConsulDevAgent node = ConsulDevAgent.startWithHttps(certificates, false, "127.0.0.31")) {
            new ConsulApi(node.address()).putKey("config/fleet-service/greeting/message", GREETING);
            try (AppInstance app = AppInstance.start("tls-server-name", Map.of("CONSUL_HTTP_ADDR", node.httpsAddress(),
                    "CONSUL_CACERT", certificates.ca().toString(), "CONSUL_TLS_SERVER_NAME", "server.dc1.consul"),
                    "fleet.registration.ttl=3s", "fleet.consul.config-mode=required")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> new ConsulApi(node.address())
                        .checkStatus(app.instanceId() + ":ttl").equals(Optional.of("passing")));
                assertThat(app.get("/api/hello").body()).contains(GREETING);
            }
            // without the server name, the certificate does not name the address: required configuration stops it
            try (AppInstance app = AppInstance.start("tls-server-name-missing", Map.of("CONSUL_HTTP_ADDR",
                    node.httpsAddress(), "CONSUL_CACERT", certificates.ca().toString()),
                    "fleet.consul.config-mode=required")) {
                assertThat(app.awaitExit(Duration.ofSeconds(60))).isNotZero();
                assertThat(app.log()).contains("fleet.consul.config-mode=required").contains("cannot be reached");
            }
        }
    }

    @Test
    void withoutAClientCertificateTheAgentRefusesAndReadinessSaysSo() {
        try (AppInstance app = AppInstance.start("tls-no-cert", variables(false), "fleet.registration.ttl=3s",
                "fleet.consul.config-mode=off")) {
            // the agent refuses the handshake: readiness names it (the reason before any attempt says less)
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").body()
                    .contains("bad_certificate"));
            assertThat(app.get("/q/health/ready").body()).contains("Consul TLS handshake failed")
                    .contains("check fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT)");
            assertThat(app.get("/q/health/ready").statusCode()).isEqualTo(503);
            assertThat(consul().agentServices().containsKey(app.instanceId())).isFalse();
        }
    }

    @Test
    void anAgentCertificateFromAnotherCaAfterTheStartShowsInReadinessAndTheLogNamingTheCaSetting() {
        ConsulCertificates otherCa = ConsulCertificates.create(dir.resolve("other-ca"));
        String reason = "Consul TLS handshake failed while trying to pass the TTL check of ";
        String check = "check fleet.consul.tls.ca-cert (CONSUL_CACERT) and fleet.consul.tls.ca-path (CONSUL_CAPATH)";
        try (ConsulDevAgent changing = ConsulDevAgent.startWithHttps(certificates, false);
                AppInstance app = AppInstance.start("tls-changed-ca", Map.of("CONSUL_HTTP_ADDR",
                        changing.httpsAddress(), "CONSUL_CACERT", certificates.ca().toString()),
                        "fleet.registration.ttl=3s", "fleet.consul.config-mode=off")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").statusCode() == 200);

            changing.restartWithHttps(otherCa, false);

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> ready = app.get("/q/health/ready");
                return ready.statusCode() == 503 && ready.body().contains(reason) && ready.body().contains(check);
            });
            assertThat(app.log()).contains(reason + app.instanceId()).contains("not signed by a CA this client trusts");
        }
    }

    @Test
    void badTlsFilesStopTheStartNamingTheSettingAndTheFile() {
        Map<String, String> missingCa = variables(true);
        missingCa.put("CONSUL_CACERT", dir.resolve("no-such-ca.pem").toString());
        try (AppInstance app = AppInstance.start("tls-missing-ca", missingCa, "fleet.consul.config-mode=off")) {
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(app.log()).contains("fleet.consul.tls.ca-cert (CONSUL_CACERT)")
                    .contains(dir.resolve("no-such-ca.pem") + " does not exist");
        }
        Map<String, String> keyWithoutCertificate = variables(true);
        keyWithoutCertificate.remove("CONSUL_CLIENT_CERT");
        try (AppInstance app = AppInstance.start("tls-key-only", keyWithoutCertificate, "fleet.consul.config-mode=off")) {
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(app.log()).contains("fleet.consul.tls.client-cert (CONSUL_CLIENT_CERT) and"
                    + " fleet.consul.tls.client-key (CONSUL_CLIENT_KEY) go together");
        }
        Map<String, String> keyOfAnotherPair = variables(true);
        keyOfAnotherPair.put("CONSUL_CLIENT_KEY", certificates.serverKey().toString());
        try (AppInstance app = AppInstance.start("tls-other-key", keyOfAnotherPair, "fleet.consul.config-mode=off")) {
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(app.log()).contains("fleet.consul.tls.client-key (CONSUL_CLIENT_KEY): "
                    + certificates.serverKey() + " is not the key of the certificate in fleet.consul.tls.client-cert"
                    + " (CONSUL_CLIENT_CERT): " + certificates.clientCert());
        }
    }
}
