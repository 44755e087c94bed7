package com.example.fleet.consul;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import io.quarkus.runtime.annotations.RegisterForProxy;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ConsulClientOptions;

/**
 * A Consul client that follows its credentials, {@link ConsulToken} and the TLS material: the Vert.x client fixes
 * both when created, so each change creates a new one for the requests that follow ({@link Renewal}). A request
 * refused with {@code ACL not found} for a token replaced since goes again with the current one; refused with the
 * current one, it makes the token file be read again at once.
 */
@RegisterForProxy(targets = ConsulClient.class)
final class RenewingClient implements InvocationHandler {

    private final ConsulToken token;
    private final Renewal<ConsulClient> clients;

    private RenewingClient(ConsulToken token, Renewal<ConsulClient> clients) {
        this.token = token;
        this.clients = clients;
    }

    /**
     * @param options built anew for each client, with the token and TLS material current at that moment
     * @param follow subscribes a listener to every change of the token and the material, answering its removal
     * @param requestTimeout the longest a request of this client takes: the old client lives that long after a change
     */
    static ConsulClient create(Vertx vertx, Supplier<ConsulClientOptions> options, ConsulToken token,
            Function<Runnable, Runnable> follow, Duration requestTimeout) {
        RenewingClient handler = new RenewingClient(token, new Renewal<>(vertx,
                () -> ConsulClient.create(vertx, options.get()), ConsulClient::close, requestTimeout, follow));
        return (ConsulClient) Proxy.newProxyInstance(ConsulClient.class.getClassLoader(),
                new Class<?>[] { ConsulClient.class }, handler);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "RenewingClient[" + clients.current() + "]";
            };
        }
        if (method.getName().equals("close") && (args == null || args.length == 0)) {
            clients.close();
            return null;
        }
        Object result = call(method, args, clients.current());
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
                    if (target != clients.current() && resend(method, args)) {
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
                if (ConsulErrors.isUnknownToken(failure) && target != clients.current()) {
                    try {
                        return (Future<Object>) call(method, args, clients.current());
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
            call(method, args, clients.current());
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
