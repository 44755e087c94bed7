package com.example.fleet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a free loopback port to an agent's port, passing TLS through untouched, that can cut every
 * connection it carries: a client behind it then has to open new ones, with whatever TLS material it holds now.
 * An agent that reloads its own files keeps its open connections, so without a cut a rotation proves nothing.
 */
public final class TcpRelay implements AutoCloseable {

    private final String host;
    private final int port;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private TcpRelay(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Starts relaying to {@code host:port}. */
    public static TcpRelay to(String host, int port) {
        try {
            TcpRelay relay = new TcpRelay(host, port);
            daemon(relay::accept, "tcp-relay-" + relay.listener.getLocalPort());
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the relay", e);
        }
    }

    /** {@code https://127.0.0.1:port}, as CONSUL_HTTP_ADDR takes it. */
    public String httpsAddress() {
        return "https://127.0.0.1:" + listener.getLocalPort();
    }

    /** Closes every connection carried now, both ways; answers how many sockets it closed. */
    public int cutConnections() {
        List<Socket> cut = List.copyOf(open);
        cut.forEach(TcpRelay::closeQuietly);
        open.removeAll(cut);
        return cut.size();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        cutConnections();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                // closed: the loop ends
                continue;
            }
            try {
                Socket agent = new Socket(host, port);
                open.add(client);
                open.add(agent);
                daemon(() -> pump(client, agent), "tcp-relay-out");
                daemon(() -> pump(agent, client), "tcp-relay-in");
            } catch (IOException e) {
                // the agent refused: the client sees its connection end at once, as it would without the relay
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side ended or was cut: end the other too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
