package io.pgferry.connect.source;

import io.pgferry.connect.PostgresDsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.Secrets;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.kafka.event.Topics;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.admin.MaskChecks;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import io.pgferry.postgres.connect.Dsn;
import io.pgferry.scan.mask.MaskFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * The source connector's configuration: the keys of {@code pgferry stream} and of the Kafka destination, in Connect's
 * form ({@code *.ms} for durations), validated through the same builders ({@link StreamConfig.Builder}, {@link
 * Topics}) so that a value the CLI refuses is refused here with the same words. The password is a Connect {@code
 * PASSWORD} field of its own, which Connect never logs; a connection string that holds one is refused.
 */
final class SourceConfig {
    static final String SOURCE = "source";
    static final String SOURCE_PASSWORD = "source.password";
    static final String SOURCE_SSLPASSWORD = "source.sslpassword";
    static final String PUBLICATION = "publication";
    static final String SLOT = "slot";
    static final String TABLES = "tables";
    static final String SNAPSHOT = "snapshot";
    static final String BINARY = "binary";
    static final String MESSAGES = "messages";
    static final String HEARTBEAT = "heartbeat.interval.ms";
    static final String TOPIC_PREFIX = "topic.prefix";
    static final String TOMBSTONES = "tombstones";
    static final String TRANSACTION_METADATA = "transaction.metadata";
    static final String MEMORY_LIMIT = "memory.limit.mb";
    static final String SPILL_DIRECTORY = "spill.directory";
    static final String MAX_BATCH = "max.batch.size";
    static final String POLL_WAIT = "poll.wait.ms";
    static final String MAX_RETRY = "max.retry.ms";
    static final String TRANSACTION_PER_SOURCE = "kafka.transaction.per.source.transaction";
    static final String RECORD_FORMAT = "record.format";
    static final String MASK_FILE = "mask.file";
    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    static final ConfigDef DEF = new ConfigDef()
            .define(
                    SOURCE,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    Importance.HIGH,
                    "The source database, as a postgresql:// URI or libpq key=value string, without the password"
                            + " (give it as source.password). The role needs the REPLICATION attribute.")
            .define(
                    SOURCE_PASSWORD,
                    Type.PASSWORD,
                    null,
                    Importance.HIGH,
                    "The source role's password; Connect masks it. Unset: libpq's rules (PGPASSWORD, ~/.pgpass of"
                            + " the worker).")
            .define(
                    SOURCE_SSLPASSWORD,
                    Type.PASSWORD,
                    null,
                    Importance.LOW,
                    "The passphrase of the client key (sslkey) when it is encrypted; Connect masks it.")
            .define(
                    PUBLICATION,
                    Type.STRING,
                    StreamConfig.Builder.DEFAULT_PUBLICATION,
                    Importance.HIGH,
                    "The publication to stream; created for 'tables' when missing.")
            .define(
                    SLOT,
                    Type.STRING,
                    StreamConfig.Builder.DEFAULT_SLOT,
                    Importance.HIGH,
                    "The logical replication slot, created when missing. A slot has one reader: one connector per"
                            + " slot, one task per connector.")
            .define(
                    TABLES,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "Tables to publish when the publication must be created, as schema.table; empty: use the"
                            + " publication as it is.")
            .define(
                    SNAPSHOT,
                    Type.BOOLEAN,
                    false,
                    Importance.MEDIUM,
                    "First deliver the existing rows (op r), from the snapshot of the new slot.")
            .define(BINARY, Type.BOOLEAN, false, Importance.LOW, "Ask the server for binary column values.")
            .define(
                    MESSAGES,
                    Type.BOOLEAN,
                    true,
                    Importance.LOW,
                    "Deliver logical messages (pg_logical_emit_message) to <topic.prefix>.message.")
            .define(
                    HEARTBEAT,
                    Type.LONG,
                    30_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    "When nothing arrived for this long, write a heartbeat to the WAL; it comes back as a record on"
                            + " <topic.prefix>.heartbeat whose offset lets the slot advance while the published"
                            + " tables are quiet. 0: never (the slot then holds WAL until a published table changes).")
            .define(
                    TOPIC_PREFIX,
                    Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    Importance.HIGH,
                    "Topic names are <topic.prefix>.<schema>.<table>, as Debezium's (the logical server name).")
            .define(
                    TOMBSTONES,
                    Type.BOOLEAN,
                    true,
                    Importance.LOW,
                    "Follow each delete with a tombstone (null value) for log compaction.")
            .define(
                    TRANSACTION_METADATA,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "Fill each record's transaction block and write BEGIN and END records to"
                            + " <topic.prefix>.transaction, as Debezium's provide.transaction.metadata.")
            .define(
                    MEMORY_LIMIT,
                    Type.INT,
                    StreamConfig.Builder.DEFAULT_MEMORY_LIMIT_MB,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    "Memory for transactions waiting to be turned into records, in MiB; a larger transaction is"
                            + " spilled to spill.directory, so memory stays bounded whatever its size.")
            .define(
                    SPILL_DIRECTORY,
                    Type.STRING,
                    Path.of(System.getProperty("java.io.tmpdir"), "pgferry-spill")
                            .toString(),
                    Importance.LOW,
                    "Where large transactions are spilled.")
            .define(
                    MAX_BATCH,
                    Type.INT,
                    4096,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Most records one poll() returns.")
            .define(
                    POLL_WAIT,
                    Type.LONG,
                    500L,
                    ConfigDef.Range.between(1, 10_000),
                    Importance.LOW,
                    "Longest a poll() waits for a change before it returns nothing.")
            .define(
                    MAX_RETRY,
                    Type.LONG,
                    (long) StreamConfig.Builder.DEFAULT_MAX_RETRY_MINUTES * 60_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Give up reconnecting to the source (the task fails) after this long without a connection.")
            .define(
                    RECORD_FORMAT,
                    Type.STRING,
                    "struct",
                    ConfigDef.ValidString.in("struct", "json", "json-with-schemas"),
                    Importance.MEDIUM,
                    "struct: Connect Structs, for any converter and transformation. json, json-with-schemas: the bytes"
                            + " JsonConverter would write (without or with schemas), rendered by the connector, for"
                            + " key.converter and value.converter set to " + BYTE_ARRAY_CONVERTER + ": faster,"
                            + " but transformations cannot read fields.")
            .define(
                    TRANSACTION_PER_SOURCE,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "With exactly-once delivery and transaction.boundary=connector: one Kafka transaction per source"
                            + " transaction. By default a Kafka transaction holds the whole source transactions one"
                            + " poll returns, never part of one: the same atomicity for read_committed consumers, with"
                            + " far fewer commits.")
            .define(
                    MASK_FILE,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "A mask file on every worker (pgferry's docs/scan.md, Masking): values are masked per column or per"
                            + " scanning rule before any record is made, snapshot rows and old rows included. Checked"
                            + " against the tables when the connector is validated and when its task starts. Empty:"
                            + " nothing is masked.");

    /** What a task runs with, parsed once. */
    record Settings(
            Dsn source,
            String publication,
            String slot,
            List<TableName> tables,
            boolean snapshot,
            boolean binary,
            boolean messages,
            Duration heartbeat,
            Topics topics,
            boolean tombstones,
            boolean transactionMetadata,
            long memoryLimitBytes,
            Path spillDirectory,
            int maxBatch,
            Duration pollWait,
            Duration maxRetry,
            boolean kafkaTransactionPerSourceTransaction,
            RecordFormat recordFormat,
            ValueMask mask) {

        /** The stream's configuration, before its checkpoint store. */
        StreamConfig.Builder stream() {
            return StreamConfig.builder()
                    .source(source)
                    .publication(publication)
                    .slot(slot)
                    .tables(tables)
                    .snapshot(snapshot)
                    .binary(binary)
                    .messages(messages)
                    .heartbeatInterval(heartbeat)
                    .memoryLimitBytes(memoryLimitBytes)
                    .spillDirectory(spillDirectory)
                    .maxRetryTime(maxRetry)
                    .handlerOwnsPosition(true);
        }

        /**
         * Refuses, before a slot is created, a mask the tables cannot take: those of {@code tables}, else those the
         * publication has now (a table added to it later is checked at its first change).
         *
         * @throws PgFerryException (fatal) whose message starts with {@code mask.file} when the mask is the problem
         */
        void refuseBadMask() {
            if (mask == ValueMask.NONE) {
                return;
            }
            try (Connection c = Connections.open(source)) {
                List<TableName> names =
                        tables.isEmpty() ? new PublicationChecks(c, publication).publishedTables() : tables;
                try {
                    MaskChecks.refuseAtStart(c, mask, names);
                } catch (PgFerryException e) {
                    throw keyed(MASK_FILE, e);
                }
            } catch (SQLException e) {
                throw Connections.classify(e, source);
            }
        }
    }

    private SourceConfig() {}

    /**
     * Parses and checks {@code props}; the first bad value is a {@link PgFerryException} whose message starts with the
     * key it is about ({@link #keyOf} finds it again).
     */
    static Settings parse(Map<String, String> props) {
        AbstractConfig c;
        try {
            c = new AbstractConfig(DEF, props, false);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw PgFerryException.fatal(e.getMessage(), "correct the connector configuration");
        }
        Dsn dsn = dsn(c.getString(SOURCE), c.getPassword(SOURCE_PASSWORD), c.getPassword(SOURCE_SSLPASSWORD));
        List<TableName> tables;
        try {
            String list = c.getString(TABLES);
            tables = list.isBlank() ? List.of() : TableName.parseList(list);
        } catch (PgFerryException e) {
            throw keyed(TABLES, e);
        }
        Topics topics;
        try {
            topics = new Topics(c.getString(TOPIC_PREFIX));
        } catch (PgFerryException e) {
            throw keyed(TOPIC_PREFIX, e);
        }
        long heartbeat = c.getLong(HEARTBEAT);
        Settings s = new Settings(
                dsn,
                c.getString(PUBLICATION),
                c.getString(SLOT),
                tables,
                c.getBoolean(SNAPSHOT),
                c.getBoolean(BINARY),
                c.getBoolean(MESSAGES),
                heartbeat == 0 ? null : Duration.ofMillis(heartbeat),
                topics,
                c.getBoolean(TOMBSTONES),
                c.getBoolean(TRANSACTION_METADATA),
                (long) c.getInt(MEMORY_LIMIT) << 20,
                Path.of(c.getString(SPILL_DIRECTORY)),
                c.getInt(MAX_BATCH),
                Duration.ofMillis(c.getLong(POLL_WAIT)),
                Duration.ofMillis(c.getLong(MAX_RETRY)),
                c.getBoolean(TRANSACTION_PER_SOURCE),
                RecordFormat.of(c.getString(RECORD_FORMAT)),
                mask(c.getString(MASK_FILE)));
        if (s.recordFormat() != RecordFormat.STRUCT) {
            if (s.transactionMetadata()) {
                throw PgFerryException.fatal(
                        RECORD_FORMAT + ": transaction metadata is written in the struct format only",
                        "set record.format to struct, or transaction.metadata to false");
            }
            // The worker's own converters are not visible here: unless the connector names ByteArrayConverter, the
            // worker's default (JsonConverter, usually) would write the finished bytes as a base64 string.
            for (String converter : List.of("key.converter", "value.converter")) {
                String given = props.get(converter);
                if (given == null || !given.strip().equals(BYTE_ARRAY_CONVERTER)) {
                    throw PgFerryException.fatal(
                            RECORD_FORMAT + ": record.format="
                                    + s.recordFormat().key()
                                    + " hands Connect finished JSON bytes, which "
                                    + (given == null ? "the worker's default " + converter : converter + " " + given)
                                    + " cannot write",
                            "set key.converter and value.converter to " + BYTE_ARRAY_CONVERTER
                                    + " in the connector's configuration");
                }
            }
        }
        try {
            s.stream().build();
        } catch (PgFerryException e) {
            throw keyed(keyOfStreamField(e.getMessage()), e);
        }
        return s;
    }

    /** The mask file, loaded and checked whole; its key may be {@code env:NAME} or {@code file:PATH} on the worker. */
    private static ValueMask mask(String file) {
        if (file.isBlank()) {
            return ValueMask.NONE;
        }
        try {
            return MaskFile.load(
                    Path.of(file), v -> Secrets.resolve(v, System.getenv(), "the key of mask file " + file));
        } catch (PgFerryException e) {
            throw keyed(MASK_FILE, e);
        }
    }

    private static Dsn dsn(String text, Password password, Password sslpassword) {
        return PostgresDsn.parse(
                SOURCE,
                text,
                password == null ? null : password.value(),
                sslpassword == null ? null : sslpassword.value());
    }

    /** The stream builder names its fields as its methods; a few differ from the connector's keys. */
    private static String keyOfStreamField(String message) {
        for (String k : List.of(SLOT, PUBLICATION, SNAPSHOT, SOURCE)) {
            if (message.contains("(" + k + ")")) {
                return k;
            }
        }
        return message.contains("(memoryLimit)") ? MEMORY_LIMIT : SOURCE;
    }

    private static PgFerryException keyed(String key, PgFerryException e) {
        return PostgresDsn.keyed(key, e);
    }

    /** The key a message of {@link #parse} (its problem, or the whole message) is about, or null. */
    static String keyOf(String message) {
        int colon = message.indexOf(": ");
        if (colon > 0 && DEF.configKeys().containsKey(message.substring(0, colon))) {
            return message.substring(0, colon);
        }
        return null;
    }
}
