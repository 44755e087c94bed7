package com.example.fleet.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build step that provides the Consul binary for dev mode and the tests ({@code src/build/ProvisionConsul.java}),
 * run as the build runs it.
 */
class ProvisionConsulIT {

    private static final Path PROGRAM = Path.of("src/build/ProvisionConsul.java");

    @TempDir
    Path temp;

    private record Run(int exitCode, String output) {
    }

    private Run run(Map<String, String> environment, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                PROGRAM.toString()));
        command.addAll(List.of(arguments));
        Path output = temp.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().remove("CONSUL_HTTP_ADDR");
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the program ends").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(output));
    }

    private Path executable(String name) throws IOException {
        Path file = Files.writeString(temp.resolve(name), "#!/bin/sh\necho fake consul\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void linksTheBinaryNamedByConsulBinaryFirst() throws Exception {
        Path binary = executable("my-consul");
        Path link = temp.resolve("target/consul/consul");

        Run run = run(Map.of("CONSUL_BINARY", binary.toString()), "--link", link.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(binary.toAbsolutePath());
        assertThat(run.output()).contains(binary.toString());
    }

    @Test
    void aConsulBinaryThatCannotRunStopsTheBuildNamingIt() throws Exception {
        Path notExecutable = Files.writeString(temp.resolve("not-consul"), "text");
        Path link = temp.resolve("consul");
        executable("stale");
        Files.createSymbolicLink(link, temp.resolve("stale"));

        Run run = run(Map.of("CONSUL_BINARY", notExecutable.toString()), "--link", link.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("CONSUL_BINARY=" + notExecutable, "is not an executable file");
        assertThat(link).as("a link to an earlier binary is not left to mislead").doesNotExist();
    }

    @Test
    void withAnAgentOfYourOwnAMissingBinaryOnlyWarns() throws Exception {
        Path link = temp.resolve("consul");

        Run run = run(Map.of("CONSUL_BINARY", temp.resolve("missing").toString(), "CONSUL_HTTP_ADDR", "127.0.0.1:8500"),
                "--link", link.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("[WARNING]", "CONSUL_HTTP_ADDR");
        assertThat(link).doesNotExist();
    }

    @Test
    void readsTheDebianMirrorFromDeb822AndSkipsOtherArchives() throws Exception {
        Path etcApt = Files.createDirectories(temp.resolve("apt/sources.list.d")).getParent();
        Files.writeString(etcApt.resolve("sources.list.d/a-vendor.sources"), """
                Types: deb
                URIs: https://vendor.example/apt
                Suites: nodistro
                Components: main
                """);
        Files.writeString(etcApt.resolve("sources.list.d/debian.sources"), """
                Types: deb
                URIs: http://mirror.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb
                # a comment
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                """);

        Run run = run(Map.of(), "--print-debian-mirror", "--apt-dir", etcApt.toString());

        assertThat(run.output().strip()).isEqualTo("http://mirror.example/debian");
    }

    @Test
    void readsTheOneLineFormat() throws Exception {
        Path etcApt = Files.createDirectories(temp.resolve("apt"));
        Files.writeString(etcApt.resolve("sources.list"), """
                # deb http://old.example/debian buster main
                deb [arch=amd64] http://mirror.example/debian/ bookworm main contrib
                """);

        Run run = run(Map.of(), "--print-debian-mirror", "--apt-dir", etcApt.toString());

        assertThat(run.output().strip()).isEqualTo("http://mirror.example/debian/");
    }

    @Test
    void findsNoMirrorWithoutADebianArchive() throws Exception {
        Run run = run(Map.of(), "--print-debian-mirror", "--apt-dir", Files.createDirectories(temp.resolve("empty"))
                .toString());

        assertThat(run.output().strip()).isEqualTo("none");
    }

    @Test
    void anUnknownOptionPrintsTheUsage() throws Exception {
        Run run = run(Map.of(), "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("unknown option --frobnicate", "Usage");
    }
}
