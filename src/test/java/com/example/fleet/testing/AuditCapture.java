package com.example.fleet.testing;

import java.util.List;

import io.vertx.core.json.JsonObject;

/**
 * Collects the JSON lines the application writes to the audit logger while a test class runs in the test JVM
 * (Quarkus tests). Register it as a static field with {@code @RegisterExtension}.
 */
public class AuditCapture extends LogCapture {

    public AuditCapture(String category) {
        super(category);
    }

    /** Every line seen so far. */
    public List<JsonObject> all() {
        return messages().stream().map(JsonObject::new).toList();
    }

    /** The lines seen so far for one event. */
    public List<JsonObject> lines(String event) {
        return all().stream().filter(line -> event.equals(line.getString("event"))).toList();
    }
}
