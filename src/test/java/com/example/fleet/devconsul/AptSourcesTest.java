package com.example.fleet.devconsul;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {

    @TempDir
    Path etcApt;

    @Test
    void readsTheMainArchiveFromDeb822AndSkipsOthers() throws IOException {
        Files.createDirectories(etcApt.resolve("sources.list.d"));
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
        assertThat(AptSources.debianMirror(etcApt)).contains("http://mirror.example/debian");
    }

    @Test
    void readsTheOneLineFormat() throws IOException {
        Files.writeString(etcApt.resolve("sources.list"), """
                # deb http://old.example/debian buster main
                deb [arch=amd64] http://mirror.example/debian/ bookworm main contrib
                """);
        assertThat(AptSources.debianMirror(etcApt)).contains("http://mirror.example/debian/");
    }

    @Test
    void findsNothingWithoutADebianArchive() {
        assertThat(AptSources.debianMirror(etcApt)).isEmpty();
    }
}
