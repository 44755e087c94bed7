package com.example.fleet.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

import com.example.fleet.process.JvmBoundProcess;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol, on a WebSocket of the JDK's own HTTP client: no
 * WebDriver, no driver binary, nothing downloaded. It opens pages, evaluates JavaScript, takes screenshots, and
 * collects what would show as errors in the browser's console: uncaught exceptions, {@code console.error} calls and
 * the browser's own error entries (failed loads). The browser runs with a fresh profile, deleted when it is closed,
 * and ends with the test JVM.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** What tells a person where Chromium comes from, when it is missing. */
    public static final String INSTALL = "apt-get install -y chromium";
    private static final Duration STARTED = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(30);

    /** One console error: where it came from ({@code exception}, {@code console}, {@code network}, ...) and its text. */
    public record ConsoleError(String source, String text) {
    }

    private final JvmBoundProcess process;
    private final Path profile;
    private volatile WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<ConsoleError> errors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(JvmBoundProcess process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /**
     * The Chromium to run: {@code CHROME_BIN} if set, else {@code chromium} or {@code chromium-browser} on the
     * {@code PATH}.
     */
    public static Optional<Path> find() {
        String configured = System.getenv("CHROME_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(dir -> !dir.isBlank())
                .flatMap(dir -> Stream.of(Path.of(dir, "chromium"), Path.of(dir, "chromium-browser")))
                .filter(Files::isExecutable).findFirst();
    }

    /** Starts the browser with one blank page of {@code width} × {@code height} CSS pixels. */
    public static HeadlessChromium start(Path binary, int width, int height, Path log) {
        Path profile;
        try {
            profile = Files.createTempDirectory("chromium-profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JvmBoundProcess process;
        try {
            // --no-sandbox: the tests run as root in CI; the rest keeps the browser from reaching out on its own
            process = JvmBoundProcess.start(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-extensions", "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
                    "about:blank"), Map.of(), log);
        } catch (IOException e) {
            deleteTree(profile);
            throw new UncheckedIOException(e);
        }
        try {
            // the browser writes the port it chose, then its own WebSocket path, into the profile
            Path activePort = profile.resolve("DevToolsActivePort");
            await().atMost(STARTED).until(() -> Files.isRegularFile(activePort)
                    && Files.readAllLines(activePort).size() >= 2);
            int port = Integer.parseInt(Files.readAllLines(activePort).get(0).strip());
            String pageSocket = await().atMost(STARTED).until(() -> pageSocket(port), Optional::isPresent).orElseThrow();
            HeadlessChromium browser = new HeadlessChromium(process, profile);
            browser.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(COMMAND)
                    .buildAsync(URI.create(pageSocket), browser.new Listener()).get(COMMAND.toSeconds(), TimeUnit.SECONDS);
            browser.send("Runtime.enable", new JsonObject());
            browser.send("Log.enable", new JsonObject());
            browser.send("Page.enable", new JsonObject());
            // the window size includes no browser frame headless, but say exactly what the page gets
            browser.send("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width)
                    .put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
            return browser;
        } catch (Exception e) {
            process.stop(Duration.ofSeconds(10));
            deleteTree(profile);
            throw new IllegalStateException("Chromium did not start; its log: " + log, e);
        }
    }

    /**
     * Sends {@code headers} with every request the page makes from now on, its event streams included: how a test
     * gives the browser credentials, as a logged-in user's browser would send them.
     */
    public void sendWithEveryRequest(Map<String, String> headers) {
        JsonObject sent = new JsonObject();
        headers.forEach(sent::put);
        send("Network.enable", new JsonObject());
        send("Network.setExtraHTTPHeaders", new JsonObject().put("headers", sent));
    }

    /** Opens {@code url} in the page and waits until it has loaded. */
    public void open(String url) {
        send("Page.navigate", new JsonObject().put("url", url));
        await().atMost(COMMAND).until(() -> "complete".equals(evaluate("document.readyState")));
    }

    /** The value of a JavaScript expression in the page (awaited when it is a promise), as JSON allows. */
    public Object evaluate(String expression) {
        JsonObject result = send("Runtime.evaluate", new JsonObject().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (result.containsKey("exceptionDetails")) {
            throw new IllegalStateException("the page could not evaluate " + expression + ": "
                    + result.getJsonObject("exceptionDetails").encode());
        }
        return result.getJsonObject("result").getValue("value");
    }

    /** Saves what the page shows now as a PNG. */
    public void screenshot(Path file) {
        String data = send("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The console errors so far, oldest first. */
    public List<ConsoleError> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        } finally {
            process.stop(Duration.ofSeconds(10));
            // Chromium's helper processes may still write into the profile a moment after the browser has exited
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> deleteTree(profile));
            } catch (ConditionTimeoutException e) {
                System.out.printf("Chromium's profile %s could not be removed%n", profile);
            }
        }
    }

    private JsonObject send(String method, JsonObject params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
        try {
            JsonObject message = answer.get(COMMAND.toSeconds(), TimeUnit.SECONDS);
            if (message.containsKey("error")) {
                throw new IllegalStateException(method + " failed: " + message.getJsonObject("error").encode());
            }
            return message.getJsonObject("result", new JsonObject());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(method + " got no answer", e);
        } finally {
            pending.remove(id);
        }
    }

    /** The browser's first page target, as its HTTP endpoint lists them. */
    private static Optional<String> pageSocket(int port) throws IOException, InterruptedException {
        String targets = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return new JsonArray(targets).stream().map(JsonObject.class::cast)
                .filter(target -> "page".equals(target.getString("type")))
                .map(target -> target.getString("webSocketDebuggerUrl")).findFirst();
    }

    private void onMessage(JsonObject message) {
        if (message.containsKey("id")) {
            CompletableFuture<JsonObject> answer = pending.get(message.getInteger("id"));
            if (answer != null) {
                answer.complete(message);
            }
            return;
        }
        JsonObject params = message.getJsonObject("params", new JsonObject());
        switch (message.getString("method", "")) {
            case "Runtime.exceptionThrown" -> errors.add(new ConsoleError("exception",
                    params.getJsonObject("exceptionDetails").encode()));
            case "Runtime.consoleAPICalled" -> {
                if ("error".equals(params.getString("type"))) {
                    errors.add(new ConsoleError("console", params.getJsonArray("args").encode()));
                }
            }
            case "Log.entryAdded" -> {
                JsonObject entry = params.getJsonObject("entry");
                if ("error".equals(entry.getString("level"))) {
                    errors.add(new ConsoleError(entry.getString("source"), entry.getString("text") + " "
                            + entry.getString("url", "")));
                }
            }
            default -> {
                // other events are not needed
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                onMessage(new JsonObject(text.toString()));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Deletes {@code root} and what it holds; returns whether it is gone. */
    private static boolean deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // gone already, or a file vanished during the walk: the check below says which
        }
        return !Files.exists(root);
    }
}
