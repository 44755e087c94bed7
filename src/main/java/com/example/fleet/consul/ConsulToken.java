package com.example.fleet.consul;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * The ACL token every Consul request carries: {@code fleet.consul.token} (CONSUL_HTTP_TOKEN), or the content of
 * {@code fleet.consul.token-file} (CONSUL_HTTP_TOKEN_FILE), which wins as with the Consul CLI. The file is read
 * again every {@link #POLL} and whenever Consul answers {@code ACL not found}, so a token rotated by rewriting
 * the file (a Kubernetes Secret mounted as a file) is used from then on, without a restart. Never logged.
 */
public final class ConsulToken {

    /** How often the file is compared with the token in use: a rotation is picked up within this time. */
    static final Duration POLL = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(ConsulToken.class);

    private final Optional<Path> file;
    private final String givenIn;
    private final List<Runnable> onChange = new CopyOnWriteArrayList<>();
    private volatile Optional<String> current;
    private volatile long timer = -1;
    private volatile Vertx vertx;

    private ConsulToken(Optional<String> fixed, Optional<Path> file, String givenIn) {
        this.file = file;
        this.givenIn = givenIn;
        this.current = file.isPresent() ? Optional.of(readFile(file.get())) : fixed.filter(t -> !t.isBlank());
    }

    /**
     * @throws IllegalArgumentException when the token file cannot be read or is empty, naming the setting and file
     */
    public static ConsulToken of(ConsulSettings settings) {
        return of(settings.token(), settings.tokenFile());
    }

    /**
     * The token from {@code file} when one is given, else {@code token}; also while configuration is built.
     *
     * @throws IllegalArgumentException when the token file cannot be read or is empty, naming the setting and file
     */
    public static ConsulToken of(Optional<String> token, Optional<Path> file) {
        return new ConsulToken(token, file, "(CONSUL_HTTP_TOKEN)");
    }

    /**
     * A token that never changes, given in {@code setting}.
     *
     * @param setting where the token is configured, for messages that ask for another one
     */
    public static ConsulToken fixed(String token, String setting) {
        return new ConsulToken(Optional.of(token), Optional.empty(), "in " + setting);
    }

    /** The token to send now, if any. */
    public Optional<String> current() {
        return current;
    }

    /**
     * Where the token comes from, for messages that ask for another one: the file when one is set, since changing
     * CONSUL_HTTP_TOKEN would not help then.
     */
    public String source() {
        return file.map(path -> "in " + path + " (fleet.consul.token-file, CONSUL_HTTP_TOKEN_FILE)")
                .orElse(givenIn);
    }

    /** Runs {@code listener} after every change of the token, until the returned action removes it. */
    Runnable onChange(Runnable listener) {
        onChange.add(listener);
        return () -> onChange.remove(listener);
    }

    /** Starts comparing the file with the token in use, on a Vert.x timer; nothing to do without a file. */
    void watch(Vertx vertx) {
        if (file.isPresent() && timer < 0) {
            this.vertx = vertx;
            timer = vertx.setPeriodic(POLL.toMillis(), id -> rereadInBackground());
        }
    }

    void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Consul did not know the token sent: read the file at once (on a worker), since it may hold a newer one. */
    void rereadInBackground() {
        Vertx watching = vertx;
        if (watching != null) {
            watching.executeBlocking(() -> reread(), false);
        }
    }

    /**
     * Reads the file and switches to the token it holds, if that is another one; blocking. The poll and a refused
     * request may both read at once: one of them announces the change.
     */
    synchronized boolean reread() {
        if (file.isEmpty()) {
            return false;
        }
        String read;
        try {
            read = readFile(file.get());
        } catch (IllegalArgumentException e) {
            // a file being replaced, or removed for a moment: keep the token in use
            LOG.debugf("Token file not readable now: %s", e.getMessage());
            return false;
        }
        if (current.equals(Optional.of(read))) {
            return false;
        }
        current = Optional.of(read);
        LOG.infof("Consul ACL token changed in %s: using the new one", file.get());
        onChange.forEach(Runnable::run);
        return true;
    }

    private static String readFile(Path file) {
        String setting = "fleet.consul.token-file (CONSUL_HTTP_TOKEN_FILE)";
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException(setting + ": " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
    }
}
