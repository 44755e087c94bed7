package com.example.fleet.consul.tls;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.example.fleet.consul.tls.TlsMaterial.ClientPair;
import com.example.fleet.consul.tls.TlsMaterial.PemText;

import io.vertx.core.Vertx;

/**
 * The TLS material in use, following its files: every {@link #POLL} they are read again, and new content that is
 * usable as a whole becomes the material of the next clients, which {@link #onChange} listeners create. Vault agent,
 * cert-manager and consul-template rewrite the files in place, the certificate and the key a moment apart: a read
 * that cannot be used (a key of another certificate, an expired certificate, a file missing for a moment) keeps the
 * last good material, and only when the same content fails twice in a row, one poll apart, is it refused with one
 * ERROR naming the file and the reason; the refusal stays visible ({@link #refused()}) until a good file comes.
 * From {@link #WARN_AHEAD} before the client certificate expires, a WARN says so once every {@link #WARN_EVERY}.
 */
public final class TlsMaterialWatch {

    /** How often the files are compared with the material in use: a rotation is used within this time. */
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration WARN_AHEAD = Duration.ofDays(7);
    static final Duration WARN_EVERY = Duration.ofDays(1);

    private static final Logger LOG = Logger.getLogger(TlsMaterialWatch.class);

    private final TlsSettings tls;
    private final InstantSource clock;
    private final List<Runnable> onChange = new CopyOnWriteArrayList<>();
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile TlsMaterial current;
    private volatile Optional<String> refused = Optional.empty();
    /** The failure of the last read, with what it read: a second one alike is a file that stays bad. */
    private Optional<String> lastFailure = Optional.empty();
    private Optional<Instant> lastExpiryWarning = Optional.empty();
    private long timer = -1;

    TlsMaterialWatch(TlsSettings tls, TlsMaterial initial, InstantSource clock) {
        this.tls = tls;
        this.current = initial;
        this.clock = clock;
    }

    /**
     * The material of the files now.
     *
     * @throws IllegalArgumentException naming the setting, its variable and the file that cannot be used
     */
    public static TlsMaterialWatch of(TlsSettings tls) {
        return new TlsMaterialWatch(tls, ConsulTls.requireUsable(tls), InstantSource.system());
    }

    /** What new clients use. */
    public TlsMaterial current() {
        return current;
    }

    /** Why the files' current content is not used, while it is not. */
    public Optional<String> refused() {
        return refused;
    }

    /** When the client certificate in use expires; empty without one. */
    public Optional<Instant> clientCertificateExpiry() {
        return current.client().map(ClientPair::notAfter);
    }

    /** Runs {@code listener} after every change of the material, on a worker thread, until the returned action. */
    public Runnable onChange(Runnable listener) {
        onChange.add(listener);
        return () -> onChange.remove(listener);
    }

    /** Starts reading the files on a Vert.x timer, the reads on a worker; nothing to do without files. */
    public synchronized void watch(Vertx vertx) {
        if (!current.texts().isEmpty() && timer < 0) {
            warnOfExpiry();
            timer = vertx.setPeriodic(POLL.toMillis(), id -> {
                // a read that hangs (a stalled network file system) holds one worker, not one more every second
                if (checking.compareAndSet(false, true)) {
                    vertx.executeBlocking(() -> {
                        try {
                            check();
                        } finally {
                            checking.set(false);
                        }
                        return null;
                    }, false);
                }
            });
        }
    }

    public synchronized void stop(Vertx vertx) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    synchronized void check() {
        reread();
        warnOfExpiry();
    }

    /** Reads the files and switches to their material when it is new and usable; blocking. */
    synchronized boolean reread() {
        List<PemText> texts;
        TlsMaterial read;
        try {
            texts = TlsMaterial.texts(tls);
            if (texts.equals(current.texts())) {
                settled();
                return false;
            }
            read = TlsMaterial.of(tls, texts);
        } catch (IllegalArgumentException e) {
            failed(e.getMessage());
            return false;
        }
        TlsMaterial previous = current;
        current = read;
        // a refusal before is over: the log line below says what is used now
        lastFailure = Optional.empty();
        refused = Optional.empty();
        lastExpiryWarning = Optional.empty();
        LOG.infof("Consul TLS files changed (%s): the next connections to the agent use them%s", changed(previous, read),
                read.client().map(pair -> "; client certificate " + pair.describe()).orElse(""));
        onChange.forEach(Runnable::run);
        return true;
    }

    /** The files hold the material in use: whatever was refused is gone. */
    private void settled() {
        lastFailure = Optional.empty();
        if (refused.isPresent()) {
            refused = Optional.empty();
            LOG.infof("Consul TLS files hold the material in use again");
        }
    }

    private void failed(String reason) {
        Optional<String> failure = Optional.of(reason);
        if (!failure.equals(lastFailure)) {
            // maybe a file being rewritten: its pair may follow before the next poll
            lastFailure = failure;
            return;
        }
        if (!failure.equals(refused)) {
            refused = failure;
            LOG.errorf("Consul TLS files refused, the last good material stays in use: %s", reason);
        }
    }

    /** Once every {@link #WARN_EVERY} from {@link #WARN_AHEAD} before the client certificate expires. */
    synchronized void warnOfExpiry() {
        Optional<ClientPair> pair = current.client();
        Instant now = clock.instant();
        if (pair.isEmpty() || now.isBefore(pair.get().notAfter().minus(WARN_AHEAD))
                || lastExpiryWarning.filter(last -> now.isBefore(last.plus(WARN_EVERY))).isPresent()) {
            return;
        }
        lastExpiryWarning = Optional.of(now);
        ClientPair client = pair.get();
        Duration left = Duration.between(now, client.notAfter());
        LOG.warnf("The Consul client certificate in %s (%s) %s: write a new pair to %s and %s; it is used without a"
                + " restart", client.certFile(), client.describe(), left.isNegative()
                        ? "has expired, and works only as long as the agent accepts it"
                        : "expires in " + left.toHours() + " hours",
                ConsulTls.CLIENT_CERT, ConsulTls.CLIENT_KEY);
    }

    private static String changed(TlsMaterial previous, TlsMaterial read) {
        // rewritten, added or removed (a CA file leaving the directory)
        return Stream.concat(read.texts().stream().filter(text -> !previous.texts().contains(text)),
                previous.texts().stream().filter(text -> !read.texts().contains(text)))
                .map(text -> text.file().toString()).distinct().collect(Collectors.joining(", "));
    }
}
