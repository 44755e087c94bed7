package com.example.fleet.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Collects what one logger category writes while a test class runs in the test JVM (Quarkus tests). Register it as
 * a static field with {@code @RegisterExtension}.
 */
public class LogCapture extends Handler implements BeforeAllCallback, AfterAllCallback {

    /** One line as written: its level and its formatted message. */
    public record Line(Level level, String message) {
    }

    private final String category;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public LogCapture(Class<?> category) {
        this(category.getName());
    }

    public LogCapture(String category) {
        this.category = category;
    }

    /** Every message seen so far, as written. */
    public List<String> messages() {
        return lines.stream().map(Line::message).toList();
    }

    /** The lines of {@code level} seen so far that contain {@code text}. */
    public List<String> lines(Level level, String text) {
        return lines.stream().filter(line -> line.level().equals(level) && line.message().contains(text))
                .map(Line::message).toList();
    }

    /** Forgets what was seen so far, for a test that counts its own lines. */
    public void clear() {
        lines.clear();
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
        // JBoss Logging's WARN is java.util.logging's WARNING, INFO is INFO; its records carry the format and its
        // parameters apart
        lines.add(new Line(record.getLevel(),
                record instanceof ExtLogRecord formatted ? formatted.getFormattedMessage() : record.getMessage()));
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
