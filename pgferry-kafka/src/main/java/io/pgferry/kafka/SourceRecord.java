package io.pgferry.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgferry.core.Lsn;
import io.pgferry.core.sink.SourceState;
import java.io.IOException;
import java.time.Instant;

/**
 * The value of a sync's source-state record in its table-state topic: {@code {"sync", "source": {"wal_lsn",
 * "slot_status", "slot_confirmed_flush", "slot_retained_bytes", "caught_up_at_ms", "ts_ms"}}}, positions as numbers,
 * times in milliseconds since the epoch, null where the state has none. What tells it from a table's record is the
 * {@code source} object (and its key, the sync's name alone).
 */
final class SourceRecord {
    private SourceRecord() {}

    static void write(JsonGenerator g, String sync, SourceState s) throws IOException {
        g.writeStartObject();
        g.writeStringField("sync", sync);
        g.writeObjectFieldStart("source");
        g.writeNumberField("wal_lsn", s.walPosition().value());
        g.writeStringField("slot_status", s.slotStatus());
        number(
                g,
                "slot_confirmed_flush",
                s.slotConfirmedFlush() == null ? null : s.slotConfirmedFlush().value());
        number(g, "slot_retained_bytes", s.slotRetainedBytes());
        number(
                g,
                "caught_up_at_ms",
                s.caughtUpAt() == null ? null : s.caughtUpAt().toEpochMilli());
        g.writeNumberField("ts_ms", s.observedAt().toEpochMilli());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void number(JsonGenerator g, String field, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }

    /** Whether a parsed record value is a source state rather than a table's. */
    static boolean is(JsonNode n) {
        return n.has("source");
    }

    static SourceState parse(JsonNode n) {
        JsonNode s = n.get("source");
        return new SourceState(
                Lsn.of(s.get("wal_lsn").asLong()),
                s.get("slot_status").asText(),
                nullable(s, "slot_confirmed_flush") == null
                        ? null
                        : Lsn.of(s.get("slot_confirmed_flush").asLong()),
                nullable(s, "slot_retained_bytes"),
                Instant.ofEpochMilli(s.get("ts_ms").asLong()),
                nullable(s, "caught_up_at_ms") == null
                        ? null
                        : Instant.ofEpochMilli(s.get("caught_up_at_ms").asLong()));
    }

    private static Long nullable(JsonNode s, String field) {
        JsonNode v = s.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }
}
