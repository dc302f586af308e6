package io.pgferry.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pgferry.core.Lsn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Properties;

/**
 * The {@code source} block of every event, as Debezium's PostgreSQL connector writes it (schema {@code
 * io.debezium.connector.postgresql.Source}): {@code version} (pgferry's), {@code connector} {@code "postgresql"},
 * {@code name} (the topic prefix, Debezium's logical server name), {@code ts_ms}/{@code ts_us}/{@code ts_ns} (when
 * the source transaction committed), {@code snapshot}, {@code db}, {@code schema}, {@code table}, {@code txId} and
 * {@code lsn} (the change's WAL position as a number).
 *
 * @param name the topic prefix
 * @param db the source database's name
 */
record SourceBlock(String name, String db) {
    static final String VERSION = "pgferry-" + projectVersion();

    static void writeSchema(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        ConnectJson.field(g, "string", false, "version");
        ConnectJson.field(g, "string", false, "connector");
        ConnectJson.field(g, "string", false, "name");
        ConnectJson.field(g, "int64", false, "ts_ms");
        g.writeStartObject();
        g.writeStringField("type", "string");
        g.writeBooleanField("optional", true);
        g.writeStringField("name", "io.debezium.data.Enum");
        g.writeNumberField("version", 1);
        g.writeObjectFieldStart("parameters");
        g.writeStringField("allowed", "true,last,false,incremental");
        g.writeEndObject();
        g.writeStringField("default", "false");
        g.writeStringField("field", "snapshot");
        g.writeEndObject();
        ConnectJson.field(g, "string", false, "db");
        ConnectJson.field(g, "int64", true, "ts_us");
        ConnectJson.field(g, "int64", true, "ts_ns");
        ConnectJson.field(g, "string", false, "schema");
        ConnectJson.field(g, "string", false, "table");
        ConnectJson.field(g, "int64", true, "txId");
        ConnectJson.field(g, "int64", true, "lsn");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.postgresql.Source");
        g.writeStringField("field", "source");
        g.writeEndObject();
    }

    /**
     * @param at when the source transaction committed (for a copied row or a message outside a transaction, which
     *     commit nothing: when it was read)
     * @param xid the source transaction id; 0 (written as null) for copied rows and messages outside a transaction
     */
    void write(JsonGenerator g, Instant at, boolean snapshot, String schema, String table, long xid, Lsn lsn)
            throws IOException {
        g.writeObjectFieldStart("source");
        g.writeStringField("version", VERSION);
        g.writeStringField("connector", "postgresql");
        g.writeStringField("name", name);
        g.writeNumberField("ts_ms", at.toEpochMilli());
        g.writeStringField("snapshot", snapshot ? "true" : "false");
        g.writeStringField("db", db);
        g.writeNumberField("ts_us", micros(at));
        g.writeNumberField("ts_ns", micros(at) * 1000);
        g.writeStringField("schema", schema);
        g.writeStringField("table", table);
        if (xid == 0) {
            g.writeNullField("txId");
        } else {
            g.writeNumberField("txId", xid);
        }
        g.writeNumberField("lsn", lsn.value());
        g.writeEndObject();
    }

    static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    }

    private static String projectVersion() {
        try (InputStream in = SourceBlock.class.getResourceAsStream("kafka.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pgferry-kafka's kafka.properties", e);
        }
    }
}
