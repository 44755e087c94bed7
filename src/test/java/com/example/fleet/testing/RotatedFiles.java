package com.example.fleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Files replaced as Vault agent, cert-manager and consul-template replace them: written next to the file, then
 * moved over it, so that no read sees half a file; a pair's certificate first, then its key.
 */
public final class RotatedFiles {

    private RotatedFiles() {
    }

    public static void replace(Path file, String content) {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            Files.writeString(next, content);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not replace " + file, e);
        }
    }

    /** Replaces {@code file} with the content of {@code source}. */
    public static void replace(Path file, Path source) {
        try {
            replace(file, Files.readString(source));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + source, e);
        }
    }

    /** Replaces {@code cert}, then {@code key}, with the files of {@code pair} (certificate, key). */
    public static void replacePair(Path cert, Path key, List<Path> pair) {
        replace(cert, pair.get(0));
        replace(key, pair.get(1));
    }
}
