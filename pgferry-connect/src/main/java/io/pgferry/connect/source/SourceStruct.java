package io.pgferry.connect.source;

import io.pgferry.core.Lsn;
import io.pgferry.kafka.event.SourceBlock;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The {@code source} block of every record, as Debezium's PostgreSQL connector writes it (schema {@code
 * io.debezium.connector.postgresql.Source}) and as the Kafka destination writes it in JSON: {@code version}
 * (pgferry's), {@code connector} {@code "postgresql"}, {@code name} (the topic prefix), the commit time, {@code
 * snapshot}, {@code db}, {@code schema}, {@code table}, {@code txId} and {@code lsn}.
 *
 * @param name the topic prefix
 * @param db the source database's name
 */
record SourceStruct(String name, String db) {
    static final Schema SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field(
                    "snapshot",
                    SchemaBuilder.string()
                            .optional()
                            .name("io.debezium.data.Enum")
                            .version(1)
                            .parameters(Map.of("allowed", "true,last,false,incremental"))
                            .defaultValue("false")
                            .build())
            .field("db", Schema.STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private static final Field VERSION = SCHEMA.field("version");
    private static final Field CONNECTOR = SCHEMA.field("connector");
    private static final Field NAME = SCHEMA.field("name");
    private static final Field TS_MS = SCHEMA.field("ts_ms");
    private static final Field SNAPSHOT = SCHEMA.field("snapshot");
    private static final Field DB = SCHEMA.field("db");
    private static final Field TS_US = SCHEMA.field("ts_us");
    private static final Field TS_NS = SCHEMA.field("ts_ns");
    private static final Field SCHEMA_NAME = SCHEMA.field("schema");
    private static final Field TABLE = SCHEMA.field("table");
    private static final Field TX_ID = SCHEMA.field("txId");
    private static final Field LSN = SCHEMA.field("lsn");

    /**
     * @param at when the source transaction committed (for a copied row or a message outside a transaction: when it
     *     was read)
     * @param xid the source transaction id; 0 (null in the record) for snapshot rows and messages outside a
     *     transaction
     */
    Struct struct(Instant at, boolean snapshot, String schema, String table, long xid, Lsn lsn) {
        long micros = micros(at);
        return new Struct(SCHEMA)
                .put(VERSION, SourceBlock.VERSION)
                .put(CONNECTOR, "postgresql")
                .put(NAME, name)
                .put(TS_MS, at.toEpochMilli())
                .put(SNAPSHOT, snapshot ? "true" : "false")
                .put(DB, db)
                .put(TS_US, micros)
                .put(TS_NS, micros * 1000)
                .put(SCHEMA_NAME, schema)
                .put(TABLE, table)
                .put(TX_ID, xid == 0 ? null : xid)
                .put(LSN, lsn.value());
    }

    static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    }
}
