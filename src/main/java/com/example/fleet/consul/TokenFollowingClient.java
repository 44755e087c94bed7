package com.example.fleet.consul;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.function.Supplier;

import io.quarkus.runtime.annotations.RegisterForProxy;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ConsulClientOptions;

/**
 * A Consul client that follows {@link ConsulToken}: the Vert.x client fixes its token when created, so each token
 * change creates a new one for the requests that follow, and the old one is closed once the requests it still
 * carries have had their timeout. A request refused with {@code ACL not found} for a token replaced since goes
 * again with the current one; refused with the current one, it makes the token file be read again at once.
 */
@RegisterForProxy(targets = ConsulClient.class)
final class TokenFollowingClient implements InvocationHandler {

    private final Vertx vertx;
    private final Supplier<ConsulClientOptions> options;
    private final ConsulToken token;
    private final Duration drain;
    private volatile ConsulClient delegate;
    private volatile boolean closed;
    private volatile Runnable stopFollowing = () -> { };

    private TokenFollowingClient(Vertx vertx, Supplier<ConsulClientOptions> options, ConsulToken token,
            Duration drain) {
        this.vertx = vertx;
        this.options = options;
        this.token = token;
        this.drain = drain;
        this.delegate = ConsulClient.create(vertx, options.get());
    }

    /**
     * @param options built anew for each client, with the token current at that moment
     * @param requestTimeout the longest a request of this client takes: the old client lives that long after a change
     */
    static ConsulClient create(Vertx vertx, Supplier<ConsulClientOptions> options, ConsulToken token,
            Duration requestTimeout) {
        TokenFollowingClient handler = new TokenFollowingClient(vertx, options, token,
                requestTimeout.plusSeconds(1));
        handler.stopFollowing = token.onChange(handler::renew);
        return (ConsulClient) Proxy.newProxyInstance(ConsulClient.class.getClassLoader(),
                new Class<?>[] { ConsulClient.class }, handler);
    }

    private void renew() {
        if (closed) {
            return;
        }
        ConsulClient old = delegate;
        delegate = ConsulClient.create(vertx, options.get());
        vertx.setTimer(drain.toMillis(), id -> old.close());
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "TokenFollowingClient[" + delegate + "]";
            };
        }
        if (method.getName().equals("close") && (args == null || args.length == 0)) {
            closed = true;
            stopFollowing.run();
        }
        Object result = call(method, args, delegate);
        // fluent methods answer the client itself: the caller keeps the proxy
        return result instanceof ConsulClient ? proxy : result;
    }

    /**
     * Calls {@code method} on {@code target}. A request refused with {@code ACL not found} after the token changed
     * carried the old token, and Consul did nothing with it: it goes again with the current one, and its caller
     * never sees the refusal. Refused with the current token, the file is read again and the caller sees it.
     */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private Object call(Method method, Object[] args, ConsulClient target) throws Throwable {
        Object[] forwarded = args;
        if (args != null && args.length > 0 && args[args.length - 1] instanceof Handler<?> handler) {
            Handler original = handler;
            forwarded = args.clone();
            forwarded[args.length - 1] = (Handler<Object>) event -> {
                if (event instanceof AsyncResult<?> result && result.failed()
                        && ConsulErrors.isUnknownToken(result.cause())) {
                    if (target != delegate && resend(method, args)) {
                        return;
                    }
                    token.rereadInBackground();
                }
                original.handle(event);
            };
        }
        Object result;
        try {
            result = method.invoke(target, forwarded);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (result instanceof Future<?> future) {
            return ((Future<Object>) future).recover(failure -> {
                if (ConsulErrors.isUnknownToken(failure) && target != delegate) {
                    try {
                        return (Future<Object>) call(method, args, delegate);
                    } catch (Throwable again) {
                        return Future.failedFuture(again);
                    }
                }
                rereadIfTokenUnknown(failure);
                return Future.failedFuture(failure);
            });
        }
        return result;
    }

    /** Sends the request again through the current client; false when it could not even be sent. */
    private boolean resend(Method method, Object[] args) {
        try {
            call(method, args, delegate);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    private void rereadIfTokenUnknown(Throwable failure) {
        if (ConsulErrors.isUnknownToken(failure)) {
            token.rereadInBackground();
        }
    }
}
