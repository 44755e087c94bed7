package com.example.fleet.consul;

import com.example.fleet.consul.tls.ConsulTls;
import com.example.fleet.consul.tls.TlsMaterialWatch;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.vertx.ext.consul.ConsulClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.consul.ConsulClient;
import io.vertx.ext.web.client.WebClient;

/**
 * Consul clients built from {@link ConsulSettings}: the application's shared one for ordinary requests, and
 * dedicated ones for blocking queries, whose read timeout must exceed the query's wait, also towards an agent a
 * discovery names ({@link AgentOverrides}). Each follows the ACL token and the TLS files: a rotation of either is
 * used by the next requests, with no restart.
 */
@ApplicationScoped
public class ConsulClients {

    private final Vertx vertx;
    private final ConsulSettings settings;
    private final ConsulToken token;
    private final TlsMaterialWatch tlsFiles;

    @Inject
    ConsulClients(Vertx vertx, ConsulSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.tlsFiles = TlsMaterialWatch.of(settings.tls());
        this.token = ConsulToken.of(settings);
        token.watch(vertx.getDelegate());
        if (settings.https()) {
            tlsFiles.watch(vertx.getDelegate());
        }
    }

    /**
     * A new client whose every request times out after {@code timeout}, with the current ACL token, following
     * its rotations; the caller closes it.
     */
    public ConsulClient create(Duration timeout) {
        return create(timeout, AgentOverrides.NONE, Optional.empty());
    }

    private ConsulClient create(Duration timeout, AgentOverrides agent, Optional<String> datacenter) {
        ConsulToken used = agent.token().orElse(token);
        return new ConsulClient(RenewingClient.create(vertx.getDelegate(), () -> {
            ConsulClientOptions options = options(timeout, agent, used);
            datacenter.ifPresent(options::setDc);
            return options;
        }, used, listener -> follow(used, listener), timeout));
    }

    /**
     * A watch of one KV key, not started yet. It reads over a plain web client: the Consul client drops the
     * X-Consul-Index of a 404, which a watch on a key that does not exist yet needs. The caller closes it.
     */
    public KeyWatch watchKey(String key, WatchTiming timing, Consumer<Optional<KeyReader.Entry>> onAnswer,
            Consumer<Throwable> onFailure) {
        return new KeyWatch(vertx, keyReader(timing), key, timing, onAnswer, onFailure);
    }

    /**
     * Reads of KV keys as their raw bytes, over a plain web client like {@link #watchKey}, with reads paced by
     * {@code timing}; the caller closes it.
     */
    public KeyReader keyReader(WatchTiming timing) {
        // the token goes with each request: only new TLS material needs a new web client
        return new KeyReader(new Renewal<>(vertx.getDelegate(), () -> WebClient.create(vertx.getDelegate(),
                options(timing.readTimeout(), AgentOverrides.NONE, token)), WebClient::close, timing.readTimeout(),
                tlsFiles::onChange), token, timing);
    }

    /** A new client for blocking queries paced by {@code timing}; the caller closes it. */
    public ConsulClient forWatch(WatchTiming timing) {
        return forWatch(timing, AgentOverrides.NONE);
    }

    /**
     * The same towards the agent {@code agent} describes: the application's settings with the parts it gives
     * replaced.
     */
    public ConsulClient forWatch(WatchTiming timing, AgentOverrides agent) {
        return create(timing.readTimeout(), agent, Optional.empty());
    }

    /**
     * The same for the catalog of another datacenter, which the agent reaches over the WAN: every request carries
     * {@code ?dc=}.
     */
    public ConsulClient forWatch(WatchTiming timing, AgentOverrides agent, String datacenter) {
        return create(timing.readTimeout(), agent, Optional.of(datacenter));
    }

    private ConsulClientOptions options(Duration timeout, AgentOverrides overrides, ConsulToken used) {
        ConsulAddress agent = settings.address();
        ConsulClientOptions options = ConsulTls.apply(new ConsulClientOptions()
                .setHost(overrides.host().orElse(agent.host()))
                .setPort(overrides.port().orElse(agent.port()))
                .setTimeout(timeout.toMillis()), https(overrides), settings.tls(), tlsFiles.current(),
                overrides.tls());
        // sent as X-Consul-Token on every request
        used.current().ifPresent(options::setAclToken);
        return options;
    }

    /**
     * Runs {@code listener} after each change of the ACL token (a rotated token file), on a worker thread. An
     * agent keeps the token a service was registered with for syncing it to the servers: registration re-registers.
     */
    public void onTokenChange(Runnable listener) {
        token.onChange(listener);
    }

    /** The TLS material in use and what became of its files since: for readiness and meters. */
    public TlsMaterialWatch tlsFiles() {
        return tlsFiles;
    }

    /** Subscribes {@code listener} to changes of {@code used} and of the TLS material; answers its removal. */
    private Runnable follow(ConsulToken used, Runnable listener) {
        Runnable fromToken = used.onChange(listener);
        Runnable fromFiles = tlsFiles.onChange(listener);
        return () -> {
            fromToken.run();
            fromFiles.run();
        };
    }

    /** Where the ACL token comes from, for messages ({@link ConsulErrors#describe}). */
    public String tokenSource() {
        return token.source();
    }

    /** Whether a client towards {@code agent} uses HTTPS. */
    public boolean https(AgentOverrides agent) {
        return agent.https().orElse(settings.https());
    }

    /** Where the token of a client towards {@code agent} comes from. */
    public String tokenSource(AgentOverrides agent) {
        return agent.token().orElse(token).source();
    }

    @Produces
    @Singleton
    ConsulClient sharedClient() {
        return create(settings.requestTimeout());
    }

    void close(@Disposes ConsulClient client) {
        client.close();
    }

    @PreDestroy
    void stopWatchingTheFiles() {
        token.stop(vertx.getDelegate());
        tlsFiles.stop(vertx.getDelegate());
    }
}
