/*
 * Finds or fetches the Consul binary that dev mode and the tests start, once per machine, and links it where the
 * build expects it. Run by the build (the provision-consul execution in pom.xml) before dev mode and the tests;
 * nothing of it goes into the packaged application, whose agent in production is the platform's.
 *
 *   java src/build/ProvisionConsul.java --link target/consul/consul
 *   java src/build/ProvisionConsul.java --print-debian-mirror [--apt-dir /etc/apt]
 *
 * Order: CONSUL_BINARY, consul on PATH, the cache folder (CONSUL_CACHE_DIR, default ~/.cache/fleet-consul/1.8.7),
 * Debian's archive (bullseye serves 1.8.7) through the mirror this machine's apt configuration already names, with
 * a private apt state, then HashiCorp's release archive (checksum verified; CONSUL_RELEASES_URL points elsewhere).
 */

import java.io.File;
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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ProvisionConsul {

    /** The version the project is tested with; Debian's bullseye suite serves it. */
    static final String VERSION = "1.8.7";
    private static final String DEBIAN_SUITE = "bullseye";
    private static final String RELEASES = "https://releases.hashicorp.com/consul/";
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final String USAGE = """
            Usage: java src/build/ProvisionConsul.java --link <path>
                   java src/build/ProvisionConsul.java --print-debian-mirror [--apt-dir <dir>]
            """;

    private static Path aptDir = Path.of("/etc/apt");

    public static void main(String[] args) throws IOException {
        Optional<Path> link = Optional.empty();
        boolean printMirror = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--link" -> link = Optional.of(Path.of(value(args, ++i, "--link")));
                case "--apt-dir" -> aptDir = Path.of(value(args, ++i, "--apt-dir"));
                case "--print-debian-mirror" -> printMirror = true;
                default -> fail("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (printMirror) {
            System.out.println(debianMirror(aptDir).orElse("none"));
            return;
        }
        if (link.isEmpty()) {
            fail(USAGE);
        }
        List<String> tried = new ArrayList<>();
        Optional<Path> binary = locate(tried);
        Files.deleteIfExists(link.get());
        if (binary.isEmpty()) {
            String problem = "No Consul binary could be found or fetched (" + String.join("; ", tried) + ")."
                    + " Install Consul (any 1.8+ release) on PATH, or set CONSUL_BINARY to its path.";
            if (System.getenv("CONSUL_HTTP_ADDR") != null) {
                // dev mode then uses that agent and starts none; the tests still need a binary
                System.out.println("[WARNING] " + problem + " Dev mode uses CONSUL_HTTP_ADDR; tests need a binary.");
                return;
            }
            fail(problem + " Or set CONSUL_HTTP_ADDR to an agent that is already running, for dev mode.");
        }
        Files.createDirectories(link.get().toAbsolutePath().getParent());
        Files.createSymbolicLink(link.get(), binary.get().toAbsolutePath());
        System.out.println("Consul for dev mode and tests: " + link.get() + " -> " + binary.get());
    }

    private static String value(String[] args, int at, String option) {
        if (at >= args.length) {
            fail(option + " needs a value\n" + USAGE);
        }
        return args[at];
    }

    private static void fail(String message) {
        System.err.println("[ERROR] " + message);
        System.exit(2);
    }

    /** A runnable consul binary, fetched into the cache folder when needed; empty with the reasons in {@code tried}. */
    static Optional<Path> locate(List<String> tried) {
        Optional<String> explicit = setting("CONSUL_BINARY");
        if (explicit.isPresent()) {
            Path path = Path.of(explicit.get());
            if (Files.isExecutable(path)) {
                return Optional.of(path);
            }
            tried.add("CONSUL_BINARY=" + path + " is not an executable file");
            return Optional.empty();
        }
        Optional<Path> onPath = onPathNamed("consul");
        if (onPath.isPresent()) {
            return onPath;
        }
        tried.add("PATH: no consul");
        Path cached = cacheDir().resolve("consul");
        if (Files.isExecutable(cached)) {
            return Optional.of(cached);
        }
        try {
            Files.createDirectories(cacheDir());
            try (FileChannel channel = FileChannel.open(cacheDir().resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                // another build may have fetched it while this one waited for the lock
                if (Files.isExecutable(cached)) {
                    return Optional.of(cached);
                }
                if (fetchFromDebian(cached, tried) || fetchFromHashiCorp(cached, tried)) {
                    System.out.println("Consul " + VERSION + " installed into " + cached);
                    return Optional.of(cached);
                }
            }
        } catch (IOException e) {
            tried.add("cache folder " + cacheDir() + ": " + e.getMessage());
        }
        return Optional.empty();
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
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static boolean fetchFromDebian(Path target, List<String> tried) {
        Optional<String> mirror = debianMirror(aptDir);
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
            System.out.println("Fetching the consul package (" + VERSION + ") from Debian's " + DEBIAN_SUITE
                    + " suite with a private apt state");
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
            System.out.println("Fetching " + zip + " from HashiCorp's release archive");
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
                : Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, command))
                        .filter(Files::isExecutable).findFirst();
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("step.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
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
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("Could not remove " + root + ": " + e.getMessage());
        }
    }

    // --- the Debian mirror this machine already uses, from /etc/apt ---------------------------------------------

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
