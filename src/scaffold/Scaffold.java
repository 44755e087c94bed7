import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a clone of the fleet-service template into a new service in a new directory. Run it from the
 * template's root with the JDK's source launcher (no build needed):
 *
 * <pre>
 * java src/scaffold/Scaffold.java --service-name billing-service --package com.acme.billing \
 *     --group-id com.acme [--artifact-id billing-service] --to ../billing-service
 * </pre>
 *
 * The clone is left as it is. The new tree is written to {@code <to>.partial-<random>} next to {@code <to>}
 * and renamed to {@code <to>} in one atomic step once it is complete, so {@code <to>} either does not exist
 * or holds the whole renamed project. Exit codes: 0 done, 1 failed while creating (nothing left behind),
 * 2 bad arguments (nothing created).
 */
public final class Scaffold {

    static final String TEMPLATE_PACKAGE = "com.example.fleet";
    static final String TEMPLATE_PACKAGE_PATH = TEMPLATE_PACKAGE.replace('.', '/');
    static final String TEMPLATE_SERVICE = "fleet-service";
    static final String README_BEGIN = "<!-- scaffold:begin -->";
    static final String README_END = "<!-- scaffold:end -->";

    /** Template-only parts: the new service has no use for the command that made it, nor for its test. */
    static final List<String> LEFT_OUT = List.of("src/scaffold/",
            "src/test/java/" + TEMPLATE_PACKAGE_PATH + "/scaffold/");

    static final String USAGE = """
            Creates a new service from this template, in a new directory; the template is left unchanged.

            Usage (from the template's root directory):
              java src/scaffold/Scaffold.java --service-name billing-service --package com.acme.billing \\
                  --group-id com.acme [--artifact-id billing-service] --to ../billing-service

            Options:
              --service-name  replaces fleet-service: application, Consul, Stork and Kubernetes name and the
                              Consul KV prefix. A DNS-1123 label: lowercase letters, digits and '-', starting
                              with a letter, ending with a letter or digit, at most 63 characters.
              --package       replaces the Java package com.example.fleet (sources move with it). Dot-separated
                              lowercase Java identifiers, no Java keywords, not under java or javax.
              --group-id      the Maven groupId of the new project, e.g. com.acme.
              --artifact-id   the Maven artifactId and name; the same rule as --service-name. Default: the
                              service name.
              --to            the directory to create. It must not exist yet; its parent must.
              --help          prints this text.

            The new project leaves out this command, its test and the sections of the README and docs
            between <!-- scaffold:begin --> and <!-- scaffold:end -->. Names of the fleet-management capability
            (the fleet.* settings, FleetCalls, the fleet.audit logger, the fleet_* metrics) are not the
            service's name and stay as they are.

            Exit codes: 0 created, 1 failed while creating (nothing is left behind), 2 bad arguments.
            """;

    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        Path project = Path.of("").toAbsolutePath();
        Options options;
        try {
            options = Options.parse(args, project);
        } catch (UsageError e) {
            e.problems.forEach(problem -> System.err.println("error: " + problem));
            System.err.println("Nothing was created. Run with --help for the usage.");
            System.exit(2);
            return;
        }
        Scaffold scaffold = new Scaffold(project, options);
        int exitCode = 0;
        try {
            scaffold.create().print(options);
        } catch (ScaffoldFailure e) {
            exitCode = fail(e.getMessage());
        } catch (IOException e) {
            exitCode = fail(describe(e));
        } catch (UncheckedIOException e) {
            exitCode = fail(describe(e.getCause()));
        } finally {
            scaffold.reported.countDown();
        }
        System.exit(exitCode);
    }

    private static int fail(String message) {
        System.err.println("error: " + message);
        System.err.println("The new service was not created.");
        return 1;
    }

    /** File-system exceptions often carry only a path as their message; the type says what went wrong. */
    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private final Path project;
    private final Options options;
    private final String packagePath;
    /** Set when the JVM is asked to stop (Ctrl-C, SIGTERM): the copy stops and the staging tree is deleted. */
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** Counted down once the outcome is cleaned up and printed; a stop request lets the JVM end only then. */
    private final CountDownLatch reported = new CountDownLatch(1);

    private Scaffold(Path project, Options options) {
        this.project = project;
        this.options = options;
        this.packagePath = options.packageName().replace('.', '/');
    }

    private Result create() throws IOException, ScaffoldFailure {
        List<String> files = projectFiles();
        Path staging = options.to().resolveSibling(options.to().getFileName() + ".partial-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        // A stop request runs shutdown hooks while this thread keeps going, and the JVM ends when they return:
        // the hook makes the copy stop early and waits until the staging tree is gone (or the finished tree is
        // in place) and that has been reported.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cancelled.set(true);
            try {
                reported.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            Files.createDirectory(staging);
            Result result = stage(files, staging);
            // an atomic rename may silently replace an empty directory, so one that appeared meanwhile is kept
            if (Files.exists(options.to(), LinkOption.NOFOLLOW_LINKS)) {
                throw new ScaffoldFailure(options.to() + " appeared while the scaffold ran; it was left as it is");
            }
            Files.move(staging, options.to(), StandardCopyOption.ATOMIC_MOVE);
            return result;
        } catch (IOException | ScaffoldFailure | RuntimeException e) {
            try {
                deleteTree(staging);
            } catch (IOException cleanup) {
                String cause = e instanceof IOException io ? describe(io) : e.getMessage();
                throw new ScaffoldFailure(cause + "; the partial copy " + staging + " could not be deleted ("
                        + describe(cleanup) + "): delete it by hand");
            }
            throw e;
        }
    }

    // --- which files -------------------------------------------------------------------------------------

    /** Relative paths ('/'-separated) of the files that make up the project, without the template-only ones. */
    private List<String> projectFiles() throws IOException {
        List<String> files = gitFiles().orElseGet(this::walkFiles);
        return files.stream().filter(file -> LEFT_OUT.stream().noneMatch(file::startsWith)).sorted().toList();
    }

    /**
     * What Git considers part of the project: tracked files plus new files that are not ignored, so work not yet
     * committed comes along and build output does not. Empty when the project is not in a Git work tree or Git
     * is not installed.
     */
    private Optional<List<String>> gitFiles() throws IOException {
        Optional<byte[]> inside = git(false, "rev-parse", "--is-inside-work-tree");
        if (inside.isEmpty() || !new String(inside.get(), UTF_8).strip().equals("true")) {
            return Optional.empty();
        }
        byte[] listing = git(true, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                .orElseThrow(() -> new IOException("git ls-files failed in " + project + " (its message is above)"));
        // an unmerged file is listed once per stage; a file deleted but not yet committed is still listed as
        // tracked, and there is nothing to copy for it
        Set<String> files = new LinkedHashSet<>();
        for (String file : new String(listing, UTF_8).split("\0")) {
            if (!file.isEmpty() && Files.exists(project.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                files.add(file);
            }
        }
        return Optional.of(List.copyOf(files));
    }

    /** Git's output, or empty when it fails or is not installed; its errors are shown only when asked for. */
    private Optional<byte[]> git(boolean showErrors, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(project.toFile())
                    .redirectError(showErrors ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            return process.waitFor() == 0 ? Optional.of(output) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
    }

    /** Without Git: every file except build output, Git's own data and IDE settings. */
    private List<String> walkFiles() {
        Set<String> ideDirectories = Set.of(".idea", ".vscode", ".settings");
        Set<String> ideFiles = Set.of(".classpath", ".project", ".factorypath");
        List<String> files = new ArrayList<>();
        try {
            Files.walkFileTree(project, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    boolean skip = dir.equals(project.resolve("target")) || name.equals(".git")
                            || ideDirectories.contains(name);
                    return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    String name = file.getFileName().toString();
                    if (!name.equals(".git") && !ideFiles.contains(name) && !name.endsWith(".iml")) {
                        files.add(relative(project, file));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    // --- copy and rewrite ----------------------------------------------------------------------------------

    private Result stage(List<String> files, Path staging) throws IOException, ScaffoldFailure {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Result result = new Result();
        Map<String, Set<String>> leftovers = new TreeMap<>();
        for (String file : files) {
            if (cancelled.get()) {
                throw new ScaffoldFailure("stopped on request");
            }
            Path from = project.resolve(file);
            String target = targetPath(file);
            Path to = staging.resolve(target);
            Files.createDirectories(to.getParent());
            result.files++;
            if (!target.equals(file)) {
                result.moved++;
            }
            boolean regular = Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS);
            Optional<String> text = regular ? decodeText(Files.readAllBytes(from)) : Optional.empty();
            if (text.isEmpty()) {
                // binary files and symbolic links are copied as they are
                if (regular) {
                    result.binary++;
                }
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                collectTemplateNames(target, "", leftovers);
                continue;
            }
            String rewritten = rewrite(file, text.get(), result);
            collectTemplateNames(target, rewritten, leftovers);
            if (rewritten.equals(text.get())) {
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                result.rewritten++;
                Files.writeString(to, rewritten, UTF_8);
                // mvnw and any other script must stay executable
                if (posix) {
                    Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
                }
            }
        }
        if (!leftovers.isEmpty()) {
            StringBuilder message = new StringBuilder("template names are left after the rewrite, so the scaffold"
                    + " needs a rule for these files:");
            leftovers.forEach((file, names) -> message.append("\n  ").append(file).append(": ")
                    .append(String.join(", ", names)));
            throw new ScaffoldFailure(message.toString());
        }
        return result;
    }

    /**
     * Where a file goes: package directories follow the new package, wherever they are (main, test, ...), and
     * names made of the service name (kubernetes/.../fleet-service.yaml) follow the service name, as the text
     * that refers to them does.
     */
    String targetPath(String file) {
        return ("/" + file).replace("/" + TEMPLATE_PACKAGE_PATH + "/", "/" + packagePath + "/").substring(1)
                .replace(TEMPLATE_SERVICE, options.serviceName());
    }

    private String rewrite(String file, String text, Result result) throws ScaffoldFailure {
        String out = text.replace(TEMPLATE_PACKAGE, options.packageName())
                .replace(TEMPLATE_PACKAGE_PATH, packagePath)
                .replace(TEMPLATE_SERVICE, options.serviceName());
        if (file.equals("pom.xml")) {
            out = Pom.withCoordinates(out, options.groupId(), options.artifactId());
        }
        if (file.endsWith(".md")) {
            String without = withoutScaffoldSection(file, out);
            result.scaffoldSectionsRemoved |= !without.equals(out);
            out = without;
        }
        if (file.equals("README.md")) {
            out = TITLE.matcher(out).replaceFirst(Matcher.quoteReplacement("# " + options.serviceName()));
        }
        return out;
    }

    private static final Pattern TITLE = Pattern.compile("(?m)^# .*$");

    /**
     * The README and the docs explain the template and this command; a service made from it should not. Every
     * Markdown file may hold such sections.
     */
    static String withoutScaffoldSection(String file, String readme) throws ScaffoldFailure {
        StringBuilder out = new StringBuilder(readme.length());
        boolean inside = false;
        for (String line : readme.split("(?<=\n)")) {
            String marker = line.strip();
            if (marker.equals(README_BEGIN) || marker.equals(README_END)) {
                if (inside == marker.equals(README_BEGIN)) {
                    throw new ScaffoldFailure(file + " has " + marker + " where "
                            + (inside ? README_END : README_BEGIN) + " was expected; the scaffold section must"
                            + " start with " + README_BEGIN + " and end with " + README_END + ", each on a line of"
                            + " its own");
                }
                inside = !inside;
            } else if (!inside) {
                out.append(line);
            }
        }
        if (inside) {
            throw new ScaffoldFailure(file + " has " + README_BEGIN + " without a " + README_END + " after it");
        }
        return out.toString();
    }

    /** UTF-8 text without NUL characters, or empty for anything else (binary files are copied unchanged). */
    static Optional<String> decodeText(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * A file added to the template later may carry the template's names in a form the rewrite does not know;
     * the new service must not silently keep them. Checks a file's new path and its new content (empty for files
     * copied as they are). Directories are not checked: with a new package inside the old one
     * (com.example.fleet.eu) the old package's directory is rightly the parent of the new one, and a file left in
     * it is still found by its path.
     */
    private void collectTemplateNames(String file, String content, Map<String, Set<String>> leftovers) {
        List<String> newNames = List.of(options.packageName(), packagePath, options.serviceName(), options.artifactId(),
                options.groupId());
        for (String old : List.of(TEMPLATE_PACKAGE, TEMPLATE_PACKAGE_PATH, TEMPLATE_SERVICE)) {
            if (mentions(file, old, newNames) || mentions(content, old, newNames)) {
                leftovers.computeIfAbsent(file, f -> new LinkedHashSet<>()).add(old);
            }
        }
    }

    /**
     * Whether {@code text} holds {@code old} other than as part of a new name: a new name may contain the old
     * one (fleet-service-eu, com.example.fleet.billing), and those occurrences are the rewrite's own work.
     */
    static boolean mentions(String text, String old, List<String> newNames) {
        String masked = text;
        for (String name : newNames) {
            if (name.contains(old)) {
                // NUL never occurs in text files, so the masked text cannot form new matches
                masked = masked.replace(name, "\0");
            }
        }
        return masked.contains(old);
    }

    private static String relative(Path root, Path path) {
        return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    // --- pom.xml -----------------------------------------------------------------------------------------------

    /** Edits the project's own coordinates in place, so the rest of pom.xml keeps its layout and comments. */
    static final class Pom {

        private Pom() {
        }

        /**
         * Sets the text of the groupId, artifactId and name elements that are direct children of
         * {@code <project>}; those of dependencies, plugins and profiles are deeper and stay.
         */
        static String withCoordinates(String pom, String groupId, String artifactId) throws ScaffoldFailure {
            Map<String, String> values = Map.of("groupId", groupId, "artifactId", artifactId, "name", artifactId);
            Map<String, int[]> ranges = new LinkedHashMap<>();
            int depth = 0;
            int at = pom.indexOf('<');
            while (at >= 0) {
                if (pom.startsWith("<!--", at)) {
                    at = pom.indexOf('<', endOf(pom, "-->", at));
                    continue;
                }
                if (pom.startsWith("<?", at)) {
                    at = pom.indexOf('<', endOf(pom, "?>", at));
                    continue;
                }
                int close = endOf(pom, ">", at);
                String tag = pom.substring(at + 1, close - 1);
                if (tag.startsWith("/")) {
                    depth--;
                } else if (!tag.endsWith("/")) {
                    depth++;
                    String name = tag.split("[\\s/]", 2)[0];
                    if (depth == 2 && values.containsKey(name) && !ranges.containsKey(name)) {
                        int end = pom.indexOf("</" + name, close);
                        if (end < 0) {
                            throw new ScaffoldFailure("pom.xml: <" + name + "> of the project is not closed");
                        }
                        ranges.put(name, new int[] {close, end});
                    }
                }
                at = pom.indexOf('<', close);
            }
            for (String required : List.of("groupId", "artifactId")) {
                if (!ranges.containsKey(required)) {
                    throw new ScaffoldFailure("pom.xml has no <" + required + "> directly under <project>, so the"
                            + " new coordinates have no place to go");
                }
            }
            StringBuilder out = new StringBuilder(pom);
            ranges.entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]))
                    .forEach(entry -> out.replace(entry.getValue()[0], entry.getValue()[1],
                            values.get(entry.getKey())));
            return out.toString();
        }

        /** The index just after {@code token} found from {@code from}. */
        private static int endOf(String pom, String token, int from) throws ScaffoldFailure {
            int found = pom.indexOf(token, from);
            if (found < 0) {
                throw new ScaffoldFailure("pom.xml is not well-formed: no " + token + " after position " + from);
            }
            return found + token.length();
        }
    }

    // --- arguments -------------------------------------------------------------------------------------------

    record Options(String serviceName, String packageName, String groupId, String artifactId, Path to) {

        private static final List<String> NAMES = List.of("--service-name", "--package", "--group-id", "--artifact-id",
                "--to");
        private static final List<String> REQUIRED = List.of("--service-name", "--package", "--group-id", "--to");

        /** Every problem with the arguments at once, so one correction run fixes them all. */
        static Options parse(String[] args, Path project) throws UsageError {
            List<String> problems = new ArrayList<>();
            Map<String, String> given = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                int equals = arg.indexOf('=');
                String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
                if (!NAMES.contains(name)) {
                    problems.add(arg.startsWith("-") ? "unknown option " + name + " (the options are "
                            + String.join(", ", NAMES) + ", --help)"
                            : "unexpected argument '" + arg + "': each value follows its option, as in --to"
                                    + " ../billing-service");
                    continue;
                }
                String value;
                if (name.length() < arg.length()) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    problems.add(name + " needs a value");
                    continue;
                }
                if (given.putIfAbsent(name, value) != null) {
                    problems.add(name + " is given more than once");
                }
            }
            REQUIRED.stream().filter(name -> !given.containsKey(name))
                    .forEach(name -> problems.add(name + " is required"));

            String serviceName = given.get("--service-name");
            String packageName = given.get("--package");
            String groupId = given.get("--group-id");
            String artifactId = given.getOrDefault("--artifact-id", serviceName);
            if (serviceName != null) {
                dnsLabelProblem(serviceName).ifPresent(problem -> problems.add("--service-name \"" + serviceName
                        + "\" " + problem + "; a service name becomes Kubernetes and Consul names, so it must be a "
                        + DNS_LABEL_RULE));
            }
            if (given.containsKey("--artifact-id")) {
                dnsLabelProblem(artifactId).ifPresent(problem -> problems.add("--artifact-id \"" + artifactId
                        + "\" " + problem + "; an artifact id follows the service-name rule: a " + DNS_LABEL_RULE));
            }
            if (packageName != null) {
                packageProblem(packageName).ifPresent(problem -> problems.add("--package \"" + packageName + "\" "
                        + problem + "; a package is dot-separated lowercase Java identifiers (a letter or '_', then"
                        + " letters, digits or '_'), none a Java keyword, not under java or javax"));
            }
            if (groupId != null && !GROUP_ID.matcher(groupId).matches()) {
                problems.add("--group-id \"" + groupId + "\" is not a Maven group id: use dot-separated parts of"
                        + " lowercase letters, digits, '-' and '_', each starting with a letter, e.g. com.acme");
            }
            Path to = given.containsKey("--to") ? target(given.get("--to"), project, problems) : null;
            if (!Files.isRegularFile(project.resolve("pom.xml"))
                    || !Files.isDirectory(project.resolve("src/main/java/" + TEMPLATE_PACKAGE_PATH))) {
                problems.add("run this from the template's root directory (the one holding pom.xml and src/main/java/"
                        + TEMPLATE_PACKAGE_PATH + "); " + project + " is not it");
            }
            if (!problems.isEmpty()) {
                throw new UsageError(problems);
            }
            return new Options(serviceName, packageName, groupId, artifactId, to);
        }

        private static final String DNS_LABEL_RULE = "DNS-1123 label: lowercase letters, digits and '-', starting with"
                + " a letter, ending with a letter or digit, at most 63 characters";
        private static final Pattern GROUP_ID = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)*");
        private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
        /** Java's keywords and reserved literals: none can name a package. */
        private static final Set<String> RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
                "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
                "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
                "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
                "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
                "void", "volatile", "while", "_", "true", "false", "null");

        static Optional<String> dnsLabelProblem(String name) {
            if (name.isEmpty()) {
                return Optional.of("is empty");
            }
            if (name.length() > 63) {
                return Optional.of("is " + name.length() + " characters long");
            }
            for (char c : name.toCharArray()) {
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    return Optional.of("contains '" + c + "'");
                }
            }
            if (!Character.isLetter(name.charAt(0))) {
                return Optional.of("does not start with a letter");
            }
            if (name.endsWith("-")) {
                return Optional.of("ends with '-'");
            }
            return Optional.empty();
        }

        static Optional<String> packageProblem(String packageName) {
            String[] parts = packageName.split("\\.", -1);
            for (String part : parts) {
                if (part.isEmpty()) {
                    return Optional.of("has an empty part (a leading, trailing or doubled dot)");
                }
                if (!IDENTIFIER.matcher(part).matches()) {
                    return Optional.of("has the part '" + part + "', which is not a lowercase Java identifier");
                }
                if (RESERVED.contains(part)) {
                    return Optional.of("has the part '" + part + "', which is a reserved Java word");
                }
            }
            if (parts[0].equals("java") || parts[0].equals("javax")) {
                return Optional.of("is under " + parts[0] + ", which belongs to the JDK");
            }
            return Optional.empty();
        }

        /** The absolute path to create; a problem is added when it exists, has no parent or is inside the template. */
        private static Path target(String value, Path project, List<String> problems) {
            Path to;
            try {
                to = Path.of(value).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                problems.add("--to \"" + value + "\" is not a valid path: " + e.getMessage());
                return null;
            }
            Path parent = to.getParent();
            if (parent == null) {
                problems.add("--to \"" + value + "\" has no parent directory; name a new directory inside one");
            } else if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                problems.add("--to \"" + value + "\" already exists; the scaffold only creates a new directory, so"
                        + " name one that does not exist yet");
            } else if (!Files.isDirectory(parent)) {
                problems.add("--to \"" + value + "\": its parent directory " + parent + " does not exist; create it"
                        + " first");
            } else {
                try {
                    // compared on real paths, so a symbolic link cannot hide that the target is in the template
                    Path real = parent.toRealPath().resolve(to.getFileName());
                    if (real.startsWith(project.toRealPath())) {
                        problems.add("--to \"" + value + "\" is inside the template; name a directory outside it,"
                                + " or the new service would become part of the template's files");
                    }
                    return real;
                } catch (IOException e) {
                    problems.add("--to \"" + value + "\": cannot resolve its parent directory: " + describe(e));
                }
            }
            return to;
        }
    }

    static final class UsageError extends Exception {
        final List<String> problems;

        UsageError(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = problems;
        }
    }

    static final class ScaffoldFailure extends Exception {
        ScaffoldFailure(String message) {
            super(message);
        }
    }

    // --- report --------------------------------------------------------------------------------------------------

    static final class Result {
        int files;
        int moved;
        int rewritten;
        int binary;
        boolean scaffoldSectionsRemoved;

        void print(Options options) {
            System.out.println("Created " + options.to() + " from the " + TEMPLATE_SERVICE + " template:");
            System.out.println("  service name  " + options.serviceName() + " (was " + TEMPLATE_SERVICE
                    + "): application, Consul, Stork and Kubernetes name, KV keys under config/"
                    + options.serviceName() + "/");
            System.out.println("  Java package  " + options.packageName() + " (was " + TEMPLATE_PACKAGE
                    + "), sources in its directories");
            System.out.println("  Maven         " + options.groupId() + ":" + options.artifactId());
            System.out.println("  files         " + files + " copied: " + rewritten + " rewritten, " + moved
                    + " moved or renamed, " + binary + " binary copied unchanged");
            System.out.println("  left out      " + String.join(", ", LEFT_OUT)
                    + (scaffoldSectionsRemoved ? ", the docs' scaffold sections" : "")
                    + ", the template's Git history");
            System.out.println("  kept          the fleet.* settings, FleetCalls, the fleet.audit logger and the"
                    + " fleet_* metrics: they name the fleet-management capability, not the service");
            System.out.println();
            System.out.println("Next steps:");
            System.out.println("  cd " + options.to() + " && git init && ./mvnw verify");
        }
    }
}
