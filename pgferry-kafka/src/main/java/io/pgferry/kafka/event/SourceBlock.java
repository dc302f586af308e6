package io.pgferry.kafka.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
public record SourceBlock(String name, String db) {
    /** What every event carries in {@code source.version}: {@code pgferry-<version>}. */
    public static final String VERSION = "pgferry-" + projectVersion();

    // The block is written for every event: its names and fixed values are encoded once.
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString F_VERSION = new SerializedString("version");
    private static final SerializedString V_VERSION = new SerializedString(VERSION);
    private static final SerializedString CONNECTOR = new SerializedString("connector");
    private static final SerializedString POSTGRESQL = new SerializedString("postgresql");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString TS_MS = new SerializedString("ts_ms");
    private static final SerializedString SNAPSHOT = new SerializedString("snapshot");
    private static final SerializedString TRUE = new SerializedString("true");
    private static final SerializedString FALSE = new SerializedString("false");
    private static final SerializedString DB = new SerializedString("db");
    private static final SerializedString TS_US = new SerializedString("ts_us");
    private static final SerializedString TS_NS = new SerializedString("ts_ns");
    private static final SerializedString SCHEMA = new SerializedString("schema");
    private static final SerializedString TABLE = new SerializedString("table");
    private static final SerializedString TX_ID = new SerializedString("txId");
    private static final SerializedString LSN = new SerializedString("lsn");

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
        g.writeFieldName(SOURCE);
        g.writeStartObject();
        g.writeFieldName(F_VERSION);
        g.writeString(V_VERSION);
        g.writeFieldName(CONNECTOR);
        g.writeString(POSTGRESQL);
        g.writeFieldName(NAME);
        g.writeString(name);
        g.writeFieldName(TS_MS);
        g.writeNumber(at.toEpochMilli());
        g.writeFieldName(SNAPSHOT);
        g.writeString(snapshot ? TRUE : FALSE);
        g.writeFieldName(DB);
        g.writeString(db);
        g.writeFieldName(TS_US);
        g.writeNumber(micros(at));
        g.writeFieldName(TS_NS);
        g.writeNumber(micros(at) * 1000);
        g.writeFieldName(SCHEMA);
        g.writeString(schema);
        g.writeFieldName(TABLE);
        g.writeString(table);
        g.writeFieldName(TX_ID);
        if (xid == 0) {
            g.writeNull();
        } else {
            g.writeNumber(xid);
        }
        g.writeFieldName(LSN);
        g.writeNumber(lsn.value());
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
