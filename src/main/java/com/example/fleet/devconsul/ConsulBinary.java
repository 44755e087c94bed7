package com.example.fleet.devconsul;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.jboss.logging.Logger;

/**
 * Finds a Consul binary for the local agents that dev mode and the tests start, fetching it once per machine
 * when none is installed. Order: {@code CONSUL_BINARY}, {@code PATH}, the cache folder, Debian's archive
 * (bullseye ships 1.8.7) through the apt mirror this machine already uses, HashiCorp's release archive.
 */
public final class ConsulBinary {

    private static final Logger LOG = Logger.getLogger(ConsulBinary.class);

    /** The version the project is tested with; Debian's bullseye suite serves it. */
    static final String VERSION = "1.8.7";
    private static final String DEBIAN_SUITE = "bullseye";
    private static final String RELEASES = "https://releases.hashicorp.com/consul/";
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

    private ConsulBinary() {
    }

    /** The path of a runnable consul binary; fetches one into the cache folder when needed. */
    public static synchronized Path locate() {
        List<String> tried = new ArrayList<>();
        Optional<String> explicit = setting("CONSUL_BINARY");
        if (explicit.isPresent()) {
            Path path = Path.of(explicit.get());
            if (Files.isExecutable(path)) {
                return path;
            }
            throw new IllegalStateException("CONSUL_BINARY=" + path + " is not an executable file");
        }
        Optional<Path> onPath = onPath();
        if (onPath.isPresent()) {
            return onPath.get();
        }
        tried.add("PATH: no consul");
        Path cached = cacheDir().resolve("consul");
        if (Files.isExecutable(cached)) {
            return cached;
        }
        try {
            Files.createDirectories(cacheDir());
            try (FileChannel channel = FileChannel.open(cacheDir().resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                // another JVM may have fetched it while this one waited for the lock
                if (Files.isExecutable(cached)) {
                    return cached;
                }
                if (fetchFromDebian(cached, tried) || fetchFromHashiCorp(cached, tried)) {
                    LOG.infof("Consul %s installed into %s", VERSION, cached);
                    return cached;
                }
            }
        } catch (IOException e) {
            tried.add("cache folder " + cacheDir() + ": " + e.getMessage());
        }
        throw new IllegalStateException("No Consul binary could be found or fetched (" + String.join("; ", tried)
                + "). Install Consul (any 1.8+ release) on PATH, or set CONSUL_BINARY to its path,"
                + " or set CONSUL_HTTP_ADDR to an agent that is already running.");
    }

    /** Where fetched binaries are kept: CONSUL_CACHE_DIR, else ~/.cache/fleet-consul/VERSION. */
    static Path cacheDir() {
        return setting("CONSUL_CACHE_DIR").map(Path::of).orElseGet(() -> {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("fleet-consul").resolve(VERSION);
        });
    }

    private static Optional<String> setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "consul"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static boolean fetchFromDebian(Path target, List<String> tried) {
        Optional<String> mirror = AptSources.debianMirror(Path.of("/etc/apt"));
        if (mirror.isEmpty() || onPathNamed("apt-get").isEmpty() || onPathNamed("dpkg-deb").isEmpty()) {
            tried.add("Debian archive: no apt-get/dpkg-deb or no Debian mirror configured under /etc/apt");
            return false;
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("consul-apt");
            Files.createDirectories(work.resolve("lists/partial"));
            Files.createDirectories(work.resolve("cache/archives/partial"));
            String keyring = Files.exists(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"))
                    ? "[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                    : "";
            Path sources = work.resolve("sources.list");
            Files.writeString(sources, "deb " + keyring + mirror.get() + " " + DEBIAN_SUITE + " main\n");
            List<String> apt = List.of("apt-get", "-q",
                    "-o", "Dir::Etc::sourcelist=" + sources,
                    "-o", "Dir::Etc::sourceparts=/dev/null",
                    "-o", "Dir::State::Lists=" + work.resolve("lists"),
                    "-o", "Dir::Cache=" + work.resolve("cache"),
                    "-o", "Debug::NoLocking=1");
            LOG.infof("Fetching the consul package (%s) from Debian's %s suite with a private apt state", VERSION,
                    DEBIAN_SUITE);
            run(concat(apt, "update"), work);
            run(concat(apt, "download", "consul"), work);
            Path deb;
            try (Stream<Path> files = Files.list(work)) {
                deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download produced no .deb"));
            }
            Path extracted = work.resolve("root");
            run(List.of("dpkg-deb", "-x", deb.toString(), extracted.toString()), work);
            install(extracted.resolve("usr/bin/consul"), target);
            return true;
        } catch (IOException | RuntimeException e) {
            tried.add("Debian archive: " + e.getMessage());
            return false;
        } finally {
            deleteTree(work);
        }
    }

    private static boolean fetchFromHashiCorp(Path target, List<String> tried) {
        String arch = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "darwin" : "linux";
        String zip = "consul_" + VERSION + "_" + os + "_" + arch + ".zip";
        String base = setting("CONSUL_RELEASES_URL").orElse(RELEASES);
        String folder = (base.endsWith("/") ? base : base + "/") + VERSION + "/";
        try {
            LOG.infof("Fetching %s from HashiCorp's release archive", zip);
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            String sums = http.send(HttpRequest.newBuilder(URI.create(folder + "consul_" + VERSION + "_SHA256SUMS"))
                    .timeout(STEP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
            String expected = sums.lines().filter(line -> line.endsWith("  " + zip)).map(line -> line.split(" ")[0])
                    .findFirst().orElseThrow(() -> new IOException("no checksum listed for " + zip));
            HttpResponse<byte[]> archive = http.send(HttpRequest.newBuilder(URI.create(folder + zip))
                    .timeout(STEP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (archive.statusCode() != 200) {
                throw new IOException("HTTP " + archive.statusCode() + " for " + zip);
            }
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive.body()));
            if (!actual.equals(expected)) {
                throw new IOException("checksum mismatch for " + zip);
            }
            Path unpacked = Files.createTempFile(target.getParent(), "consul", ".tmp");
            try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(archive.body()))) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
                    if (entry.getName().equals("consul")) {
                        Files.copy(in, unpacked, StandardCopyOption.REPLACE_EXISTING);
                        install(unpacked, target);
                        return true;
                    }
                }
            } finally {
                Files.deleteIfExists(unpacked);
            }
            throw new IOException(zip + " holds no consul binary");
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            tried.add("HashiCorp release archive: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tried.add("HashiCorp release archive: interrupted");
            return false;
        }
    }

    /** Copies to a temporary name first so a half-written binary is never found in the cache. */
    private static void install(Path binary, Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Files.copy(binary, partial, StandardCopyOption.REPLACE_EXISTING);
        if (!partial.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + partial + " executable");
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<Path> onPathNamed(String command) {
        String path = System.getenv("PATH");
        return path == null ? Optional.empty()
                : Stream.of(path.split(java.io.File.pathSeparator)).map(dir -> Path.of(dir, command))
                        .filter(Files::isExecutable).findFirst();
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("step.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!process.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + STEP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0));
        }
        if (process.exitValue() != 0) {
            String output = Files.readString(log, StandardCharsets.UTF_8).strip();
            throw new IOException(String.join(" ", command.subList(0, Math.min(2, command.size()))) + " "
                    + command.get(command.size() - 1) + " failed (exit " + process.exitValue() + "): "
                    + output.substring(Math.max(0, output.length() - 400)));
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debugf("Could not remove %s: %s", root, e.getMessage());
        }
    }
}
