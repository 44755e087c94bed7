package com.example.fleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A server-sent events stream read in the background: every event with its name and data, the {@code retry} the
 * server asked for, and whether the server ended the stream. Closing it closes the connection.
 */
public final class EventStream implements AutoCloseable {

    public record Event(String name, String data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;
    private volatile String retry;
    private volatile boolean ended;
    private volatile boolean closed;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "event-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream; returns once the server answered its headers. */
    public static EventStream open(URI uri) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return new EventStream(client.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                    .build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** Every event so far, in order. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The events of one name so far, in order. */
    public List<Event> events(String name) {
        return events.stream().filter(event -> event.name().equals(name)).toList();
    }

    /** The last {@code retry} field, if the server sent one. */
    public String retry() {
        return retry;
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        closed = true;
        response.body().close();
    }

    private void read() {
        String name = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name, data.toString()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = value(line);
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(value(line));
                } else if (line.startsWith("retry:")) {
                    retry = value(line);
                }
            }
            ended = !closed;
        } catch (UncheckedIOException | IllegalStateException e) {
            // closed by this side
        }
    }

    private static String value(String line) {
        String value = line.substring(line.indexOf(':') + 1);
        return value.startsWith(" ") ? value.substring(1) : value;
    }
}
