package com.example.fleet.devconsul;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the Debian mirror this machine is already configured with, from {@code sources.list} and the deb822
 * {@code *.sources} files, so the project never names a mirror itself.
 */
final class AptSources {

    private AptSources() {
    }

    /** The URI of the first Debian main archive (not the security archive) that apt is configured with. */
    static Optional<String> debianMirror(Path etcApt) {
        List<Path> files = new ArrayList<>();
        files.add(etcApt.resolve("sources.list"));
        try (Stream<Path> parts = Files.list(etcApt.resolve("sources.list.d"))) {
            parts.filter(p -> p.toString().endsWith(".sources") || p.toString().endsWith(".list")).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            // no sources.list.d: sources.list alone decides
        }
        for (Path file : files) {
            Optional<String> found = mirrorIn(file);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mirrorIn(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (file.toString().endsWith(".sources")) {
            return fromDeb822(lines);
        }
        for (String line : lines) {
            String[] words = line.replaceAll("\\[[^]]*]", " ").strip().split("\\s+");
            if (words.length >= 3 && words[0].equals("deb") && isMainArchive(words[1], words[2])) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    /** deb822 stanzas are separated by blank lines; each names URIs and Suites. */
    private static Optional<String> fromDeb822(List<String> lines) {
        String uris = null;
        String suites = null;
        boolean deb = false;
        List<String> stanza = new ArrayList<>(lines);
        stanza.add("");
        for (String line : stanza) {
            if (line.isBlank()) {
                if (deb && uris != null && suites != null) {
                    for (String uri : uris.split("\\s+")) {
                        for (String suite : suites.split("\\s+")) {
                            if (isMainArchive(uri, suite)) {
                                return Optional.of(uri);
                            }
                        }
                    }
                }
                uris = null;
                suites = null;
                deb = false;
                continue;
            }
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "types" -> deb = List.of(value.split("\\s+")).contains("deb");
                case "uris" -> uris = value;
                case "suites" -> suites = value;
                default -> {
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A Debian archive lives under a path ending in /debian (debian-security is another archive) and serves plain
     * codenames; bookworm-updates, third-party repositories and the security archive do not qualify.
     */
    private static boolean isMainArchive(String uri, String suite) {
        String path = uri.replaceAll("/+$", "");
        return (uri.startsWith("http://") || uri.startsWith("https://")) && path.endsWith("/debian")
                && !suite.contains("-") && !suite.contains("/");
    }
}
