package com.example.fleet.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of folders the application or its tests made: what cannot be removed is left, harming nothing. */
public final class Folders {

    private Folders() {
    }

    /** Removes {@code folder} and everything in it. */
    public static void deleteTree(Path folder) {
        delete(folder, true);
    }

    /** Removes everything in {@code folder}, keeping the folder. */
    public static void deleteContents(Path folder) {
        delete(folder, false);
    }

    private static void delete(Path folder, boolean itself) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> itself || !path.equals(folder))
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover file in a folder of ours harms nothing
        }
    }
}
