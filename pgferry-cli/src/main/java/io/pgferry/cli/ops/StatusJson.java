package io.pgferry.cli.ops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.postgres.StreamStats;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code /status} documents of {@code pgferry stream} and {@code pgferry scan}: per stream its state and
 * counters, positions and lag, as {@code /metrics} has them, in one JSON object a person or a script can read.
 * ({@code pgferry sync} serves the document of {@code pgferry status --json}.)
 */
public final class StatusJson {
    private static final JsonFactory JSON = new JsonFactory();

    /** One stream: a slot's, or a scanned database's. */
    public record Stream(String name, String state, StreamStats stats) {}

    private StatusJson() {}

    /**
     * @param field the array's name: {@code streams} or {@code databases}
     * @param extra top-level counters after the array
     */
    public static String of(String command, String field, Iterable<Stream> streams, Map<String, Long> extra) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("command", command);
            g.writeArrayFieldStart(field);
            for (Stream s : streams) {
                StreamStats st = s.stats();
                g.writeStartObject();
                g.writeStringField(field.equals("databases") ? "database" : "slot", s.name());
                g.writeStringField("state", s.state());
                g.writeNumberField("transactions", st.transactions());
                g.writeNumberField("messages", st.messages());
                g.writeNumberField("received_bytes", st.bytes());
                g.writeStringField("acknowledged_lsn", st.acknowledged().toString());
                g.writeStringField("confirmed_lsn", st.confirmed().toString());
                g.writeNumberField("reconnects", st.reconnects());
                g.writeNumberField("offheap_bytes", st.offHeapBytes());
                instant(g, "last_acknowledged_commit", st.lastAcknowledgedCommit());
                instant(g, "oldest_unacknowledged_commit", st.oldestUnacknowledgedCommit());
                if (st.lastAcknowledgedCommit() != null) {
                    g.writeNumberField(
                            "lag_seconds",
                            Duration.between(st.lastAcknowledgedCommit(), Instant.now())
                                            .toMillis()
                                    / 1000.0);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            for (Map.Entry<String, Long> e : extra.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void instant(JsonGenerator g, String field, Instant t) throws IOException {
        g.writeStringField(field, t == null ? null : t.toString());
    }
}
