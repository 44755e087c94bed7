package com.example.fleet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP proxy on a free loopback port in front of a real Consul agent that vanishes right after it forwarded
 * the first service registration: the agent holds the registration, but before the client reads the answer the
 * proxy has stopped listening, and it answers with {@code Connection: close} so the client needs a new
 * connection for its next request, which is refused. That is what a client sees when its agent dies just after
 * accepting a registration.
 * <p>
 * Every exchange uses its own connections, both ways, so no kept-alive connection outlives the cut.
 */
public final class VanishingAgentProxy implements AutoCloseable {

    private static final String REGISTER = "PUT /v1/agent/service/register ";
    private static final int MAX_HEAD = 64 * 1024;

    private final int agentPort;
    private final ServerSocket listener;
    private final AtomicBoolean vanished = new AtomicBoolean();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private VanishingAgentProxy(int agentPort) throws IOException {
        this.agentPort = agentPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Starts a proxy to the agent listening on {@code agentPort} of the loopback address. */
    public static VanishingAgentProxy inFrontOf(int agentPort) {
        try {
            VanishingAgentProxy proxy = new VanishingAgentProxy(agentPort);
            Thread acceptor = new Thread(proxy::accept, "vanishing-proxy-" + proxy.listener.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the proxy", e);
        }
    }

    /** host:port, as CONSUL_HTTP_ADDR takes it. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** True once a registration went through and the proxy stopped listening. */
    public boolean hasVanished() {
        return vanished.get();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        open.forEach(VanishingAgentProxy::closeQuietly);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                open.add(client);
                Thread exchange = new Thread(() -> relay(client), "vanishing-proxy-exchange");
                exchange.setDaemon(true);
                exchange.start();
            } catch (IOException e) {
                // the listener was closed: the proxy vanished or the test ended
            }
        }
    }

    /** One request, one answer, then the connection closes. */
    private void relay(Socket client) {
        Socket agent = null;
        try (client) {
            agent = new Socket(InetAddress.getLoopbackAddress(), agentPort);
            open.add(agent);
            InputStream fromClient = client.getInputStream();
            String head = readHead(fromClient);
            byte[] body = fromClient.readNBytes(contentLength(head));
            OutputStream toAgent = agent.getOutputStream();
            toAgent.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
            toAgent.write(body);
            toAgent.flush();
            // the agent closes after its answer (Connection: close), so its answer is all it sends
            byte[] answer = agent.getInputStream().readAllBytes();
            if (head.startsWith(REGISTER) && vanished.compareAndSet(false, true)) {
                // stop listening before the client reads the answer: its next connection is refused
                closeQuietly(listener);
            }
            client.getOutputStream().write(withConnectionClose(answer));
            client.getOutputStream().flush();
        } catch (IOException e) {
            // a side hung up: this exchange is over
        } finally {
            open.remove(client);
            if (agent != null) {
                open.remove(agent);
                closeQuietly(agent);
            }
        }
    }

    /** The request line and headers, up to and including the empty line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < end.length) {
            int next = in.read();
            if (next < 0 || head.size() > MAX_HEAD) {
                throw new IOException("no complete request head");
            }
            head.write(next);
            matched = next == end[matched] ? matched + 1 : (next == end[0] ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return 0;
    }

    /** The same head with any Connection header replaced by {@code Connection: close}. */
    private static String withConnectionClose(String head) {
        StringBuilder rewritten = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.isEmpty() && !line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                rewritten.append(line).append("\r\n");
            }
        }
        return rewritten.append("Connection: close\r\n\r\n").toString();
    }

    private static byte[] withConnectionClose(byte[] answer) throws IOException {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            throw new IOException("the agent's answer has no complete head");
        }
        return (withConnectionClose(text.substring(0, headEnd + 4)) + text.substring(headEnd + 4))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort: the test is over or the peer already left
        }
    }
}
