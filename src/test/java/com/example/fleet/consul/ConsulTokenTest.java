package com.example.fleet.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsulTokenTest {

    @TempDir
    Path dir;

    @Test
    void theFileWinsOverTheVariableAndIsStripped() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "  from-file\n");

        assertThat(ConsulToken.of(Optional.of("from-variable"), Optional.of(file)).current()).contains("from-file");
        assertThat(ConsulToken.of(Optional.of("from-variable"), Optional.empty()).current()).contains("from-variable");
        assertThat(ConsulToken.of(Optional.of(" "), Optional.empty()).current()).isEmpty();
    }

    @Test
    void aFixedTokenIsSentAndNamesTheSettingItIsGivenIn() {
        ConsulToken token = ConsulToken.fixed("discovery-token", "quarkus.stork.svc.service-discovery.acl-token");

        assertThat(token.current()).contains("discovery-token");
        assertThat(token.source()).isEqualTo("in quarkus.stork.svc.service-discovery.acl-token");
        assertThat(ConsulToken.of(Optional.of("t"), Optional.empty()).source()).isEqualTo("(CONSUL_HTTP_TOKEN)");
    }

    @Test
    void aNewTokenInTheFileIsTakenAndAnnouncedOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "old");
        ConsulToken token = ConsulToken.of(Optional.empty(), Optional.of(file));
        AtomicInteger changes = new AtomicInteger();
        token.onChange(changes::incrementAndGet);

        assertThat(token.reread()).isFalse();
        Files.writeString(file, "new");
        assertThat(token.reread()).isTrue();
        assertThat(token.reread()).isFalse();

        assertThat(token.current()).contains("new");
        assertThat(changes).hasValue(1);
    }

    @Test
    void aFileBeingReplacedKeepsTheTokenInUse() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "current");
        ConsulToken token = ConsulToken.of(Optional.empty(), Optional.of(file));

        Files.delete(file);
        assertThat(token.reread()).isFalse();
        Files.writeString(file, "");
        assertThat(token.reread()).isFalse();

        assertThat(token.current()).contains("current");
    }

    @Test
    void aMissingOrEmptyFileAtStartNamesTheSettingAndTheFileButNotTheToken() throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> ConsulToken.of(Optional.empty(), Optional.of(missing)))
                .hasMessageContaining("fleet.consul.token-file (CONSUL_HTTP_TOKEN_FILE)").hasMessageContaining(
                        missing.toString());
        assertThatThrownBy(() -> ConsulToken.of(Optional.of("secret-value"), Optional.of(empty)))
                .hasMessageContaining(empty + " is empty").hasMessageNotContaining("secret-value");
    }
}
