package com.example.fleet.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.vertx.core.json.JsonObject;

/**
 * Collects the JSON lines the application writes to the audit logger (or the messages of another logger) while a
 * test class runs in the test JVM (Quarkus tests). Register it as a static field with {@code @RegisterExtension}.
 */
public class AuditCapture extends Handler implements BeforeAllCallback, AfterAllCallback {

    private final String category;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public AuditCapture(String category) {
        this.category = category;
    }

    /** Every message seen so far, as written. */
    public List<String> messages() {
        return List.copyOf(lines);
    }

    /** Every line seen so far. */
    public List<JsonObject> all() {
        return lines.stream().map(JsonObject::new).toList();
    }

    /** The lines seen so far for one event. */
    public List<JsonObject> lines(String event) {
        return all().stream().filter(line -> event.equals(line.getString("event"))).toList();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Logger.getLogger(category).addHandler(this);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Logger.getLogger(category).removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        // JBoss Logging's records carry the format and its parameters apart
        lines.add(record instanceof ExtLogRecord formatted ? formatted.getFormattedMessage() : record.getMessage());
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public void close() {
        // nothing held
    }
}
