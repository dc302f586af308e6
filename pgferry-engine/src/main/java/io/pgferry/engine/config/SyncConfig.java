package io.pgferry.engine.config;

import io.pgferry.core.PgFerryException;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.Unrepresentable;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.connect.Dsn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link io.pgferry.engine.SyncEngine} needs, validated once by {@link Builder#build()}: a bad value fails
 * there with a message naming the field and the fix. The builder holds the defaults, in one place, for every front end
 * (the command line, configuration files, environment variables, an embedding program).
 *
 * @param source the database to copy from and stream
 * @param target the PostgreSQL database to keep in sync, or null when {@code foreignTarget} is the destination
 * @param include table globs ({@code public.*}, {@code sales.order*}); a name without a dot is in schema public
 * @param exclude table globs to leave out
 * @param schemaMap source schema to target schema; unmapped schemas keep their name
 * @param copyMode how the target is filled before streaming
 * @param workers parallel copy connections (each one to the source and one to the target)
 * @param chunkRows rows in a chunk of {@link CopyMode#CHUNKED}
 * @param copySource a hot standby of the source to read the chunks from, or null to read them from the source
 * @param slot the logical replication slot, also the sync's name at the target
 * @param publication the publication (created for the selected tables when missing), or null for the sync's own: the
 *     one pgferry created for the slot, else one named as the slot (a slot begun while every sync's default was
 *     {@code pgferry_sync} keeps that one); the engine names it when the run starts
 * @param untilCaughtUp stop once every transaction committed before the start is applied; else run until stopped
 * @param catalogSchema the target schema of the sync's own records
 * @param batchRows at most this many changes in one target transaction
 * @param batchBytes a target transaction is committed once its rows hold this many bytes
 * @param batchDelay a target transaction stays open at most this long while changes keep coming
 * @param memoryLimitBytes memory for transactions waiting to be applied, before they spill to disk
 * @param spillDirectory where large transactions spill
 * @param maxRetryTime give up reconnecting (while streaming, or retrying a task of the initial copy) after this long
 * @param ddl what to do when a source table gains a column while streaming
 * @param thenSubscribe once caught up, hand the slot to a native subscription of this name at the target and end;
 *     null to keep the slot
 * @param foreignTarget a destination database that is not PostgreSQL (MySQL, MariaDB, SQLite), or null
 * @param unrepresentable what a foreign target does with a value it cannot hold
 * @param kafkaTarget a Kafka cluster as the destination, or null; its schema map holds {@code schemaMap} too
 */
public record SyncConfig(
        Dsn source,
        Dsn target,
        List<String> include,
        List<String> exclude,
        Map<String, String> schemaMap,
        CopyMode copyMode,
        int workers,
        int chunkRows,
        Dsn copySource,
        String slot,
        String publication,
        boolean untilCaughtUp,
        String catalogSchema,
        int batchRows,
        long batchBytes,
        Duration batchDelay,
        long memoryLimitBytes,
        Path spillDirectory,
        Duration maxRetryTime,
        DdlMode ddl,
        String thenSubscribe,
        JdbcTarget foreignTarget,
        Unrepresentable unrepresentable,
        KafkaTarget kafkaTarget) {

    public SyncConfig {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        schemaMap = Map.copyOf(schemaMap);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This configuration with {@code name} as its publication. */
    public SyncConfig withPublication(String name) {
        return new SyncConfig(
                source,
                target,
                include,
                exclude,
                schemaMap,
                copyMode,
                workers,
                chunkRows,
                copySource,
                slot,
                name,
                untilCaughtUp,
                catalogSchema,
                batchRows,
                batchBytes,
                batchDelay,
                memoryLimitBytes,
                spillDirectory,
                maxRetryTime,
                ddl,
                thenSubscribe,
                foreignTarget,
                unrepresentable,
                kafkaTarget);
    }

    /** The target schema for tables of source schema {@code schema}. */
    public String targetSchema(String schema) {
        return schemaMap.getOrDefault(schema, schema);
    }

    static PgFerryException bad(String field, String problem, String fix) {
        return PgFerryException.fatal("invalid sync configuration (" + field + "): " + problem, fix);
    }

    /** Builds a {@link SyncConfig}; every default lives here. */
    public static final class Builder {
        public static final String DEFAULT_SLOT = "pgferry_sync";
        public static final int DEFAULT_WORKERS = 4;
        public static final int DEFAULT_CHUNK_ROWS = 100_000;
        /** A target transaction is committed once its rows hold this many bytes (64 MiB). */
        public static final long DEFAULT_BATCH_BYTES = 64L << 20;
        /** The defaults of the settings that front ends take as text, in the words {@code parse} reads. */
        public static final String DEFAULT_COPY_MODE = "snapshot";

        public static final String DEFAULT_DDL = "apply";
        public static final String DEFAULT_ON_UNREPRESENTABLE = "error";

        private Dsn source;
        private Dsn target;
        private final List<String> include = new ArrayList<>();
        private final List<String> exclude = new ArrayList<>();
        private final Map<String, String> schemaMap = new LinkedHashMap<>();
        private CopyMode copyMode = CopyMode.parse(DEFAULT_COPY_MODE);
        private int workers = DEFAULT_WORKERS;
        private int chunkRows = DEFAULT_CHUNK_ROWS;
        private Dsn copySource;
        private String slot = DEFAULT_SLOT;
        private String publication;
        private boolean untilCaughtUp;
        private String catalogSchema = SyncCatalog.DEFAULT_SCHEMA;
        private int batchRows = 10_000;
        private long batchBytes = DEFAULT_BATCH_BYTES;
        private Duration batchDelay = Duration.ofMillis(100);
        private long memoryLimitBytes = (long) StreamConfig.Builder.DEFAULT_MEMORY_LIMIT_MB << 20;
        private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"), "pgferry-spill");
        private Duration maxRetryTime = Duration.ofMinutes(StreamConfig.Builder.DEFAULT_MAX_RETRY_MINUTES);
        private String thenSubscribe;
        private DdlMode ddl = DdlMode.parse(DEFAULT_DDL);
        private JdbcTarget foreignTarget;
        private Unrepresentable unrepresentable = Unrepresentable.of(DEFAULT_ON_UNREPRESENTABLE);
        private KafkaTarget kafkaTarget;

        /** A Kafka cluster as the destination, instead of a database. */
        public Builder target(KafkaTarget t) {
            this.kafkaTarget = t;
            return this;
        }

        /** A destination that is not PostgreSQL, instead of a PostgreSQL target. */
        public Builder target(JdbcTarget t) {
            this.foreignTarget = t;
            return this;
        }

        public Builder unrepresentable(Unrepresentable policy) {
            this.unrepresentable = policy;
            return this;
        }

        public Builder ddl(DdlMode mode) {
            this.ddl = mode;
            return this;
        }

        public Builder source(Dsn dsn) {
            this.source = dsn;
            return this;
        }

        public Builder source(String dsn) {
            return source(Dsn.parse(dsn));
        }

        public Builder target(Dsn dsn) {
            this.target = dsn;
            return this;
        }

        public Builder target(String dsn) {
            return target(Dsn.parse(dsn));
        }

        public Builder include(String... globs) {
            include.addAll(List.of(globs));
            return this;
        }

        public Builder include(List<String> globs) {
            include.addAll(globs);
            return this;
        }

        public Builder exclude(List<String> globs) {
            exclude.addAll(globs);
            return this;
        }

        public Builder mapSchema(String sourceSchema, String targetSchema) {
            schemaMap.put(sourceSchema, targetSchema);
            return this;
        }

        public Builder copyMode(CopyMode mode) {
            this.copyMode = mode;
            return this;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        public Builder chunkRows(int rows) {
            this.chunkRows = rows;
            return this;
        }

        /** A hot standby of the source to copy from (needs {@link CopyMode#CHUNKED}); null for the source. */
        public Builder copySource(Dsn dsn) {
            this.copySource = dsn;
            return this;
        }

        public Builder copySource(String dsn) {
            return copySource(dsn == null ? null : Dsn.parse(dsn));
        }

        public Builder slot(String name) {
            this.slot = name;
            return this;
        }

        public Builder publication(String name) {
            this.publication = name;
            return this;
        }

        public Builder untilCaughtUp(boolean on) {
            this.untilCaughtUp = on;
            return this;
        }

        public Builder catalogSchema(String schema) {
            this.catalogSchema = schema;
            return this;
        }

        public Builder batchRows(int rows) {
            this.batchRows = rows;
            return this;
        }

        public Builder batchBytes(long bytes) {
            this.batchBytes = bytes;
            return this;
        }

        public Builder batchDelay(Duration d) {
            this.batchDelay = d;
            return this;
        }

        public Builder memoryLimitBytes(long bytes) {
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder spillDirectory(Path dir) {
            this.spillDirectory = dir;
            return this;
        }

        public Builder maxRetryTime(Duration d) {
            this.maxRetryTime = d;
            return this;
        }

        /** Once caught up, create native subscription {@code name} on the same slot and end (null: never). */
        public Builder thenSubscribe(String name) {
            this.thenSubscribe = name;
            return this;
        }

        public SyncConfig build() {
            if (source == null) {
                throw bad("source", "no source database given", "give the source as a postgresql:// URI");
            }
            int targets = (target == null ? 0 : 1) + (foreignTarget == null ? 0 : 1) + (kafkaTarget == null ? 0 : 1);
            if (targets == 0) {
                throw bad("target", "no target database given", "give the target as a postgresql:// URI");
            }
            if (targets > 1) {
                throw bad("target", "two targets given", "give one target");
            }
            if (kafkaTarget != null && copyMode == CopyMode.CHUNKED) {
                throw bad(
                        "copyMode",
                        "the chunked copy is for database targets only: its replay of the changes made during the"
                                + " copy needs a destination that can overwrite a row by its key",
                        "use copy mode snapshot or none with a Kafka target");
            }
            if (target == null && thenSubscribe != null) {
                throw bad(
                        "thenSubscribe",
                        "a native subscription needs a PostgreSQL target",
                        "leave out the hand-over to a subscription");
            }
            if (target != null
                    && source.host().equals(target.host())
                    && source.port() == target.port()
                    && source.dbname().equals(target.dbname())) {
                throw bad(
                        "target",
                        "the target is the source database itself (" + target.endpoints() + "/" + target.dbname() + ")",
                        "give another database as the target");
            }
            if (slot == null || !SlotAdmin.SLOT_NAME.matcher(slot).matches()) {
                throw bad("slot", "slot name '" + slot + "' is not valid", "use 1 to 63 characters of a-z, 0-9 and _");
            }
            if (publication != null && (publication.isEmpty() || publication.length() > 63)) {
                throw bad("publication", "publication name is empty or longer than 63 bytes", "give a name");
            }
            if (workers < 1 || workers > 64) {
                throw bad("workers", workers + " workers", "give 1 to 64");
            }
            if (chunkRows < 1) {
                throw bad("chunkRows", "chunk size " + chunkRows, "give a positive number of rows");
            }
            if (copySource != null && copyMode != CopyMode.CHUNKED) {
                throw bad(
                        "copySource",
                        "copying from a standby needs the chunked copy mode: a snapshot exported by the source cannot"
                                + " be imported on a standby",
                        "use copy mode chunked with a copy source");
            }
            if (batchRows < 1) {
                throw bad("batchRows", "batch size " + batchRows, "give a positive number of rows");
            }
            if (batchBytes < 1) {
                throw bad("batchBytes", "batch size " + batchBytes + " bytes", "give a positive number of bytes");
            }
            for (Duration d : List.of(batchDelay, maxRetryTime)) {
                if (d.isNegative() || d.isZero()) {
                    throw bad("interval", "intervals must be positive, got " + d, "give a positive duration");
                }
            }
            for (String g : include) {
                TableGlob.parse(g);
            }
            for (String g : exclude) {
                TableGlob.parse(g);
            }
            for (Map.Entry<String, String> e : schemaMap.entrySet()) {
                if (e.getKey().isEmpty() || e.getValue().isEmpty()) {
                    throw bad("schemaMap", "empty schema name in a schema map entry", "write source:target");
                }
            }
            if (thenSubscribe != null && (thenSubscribe.isEmpty() || thenSubscribe.length() > 63)) {
                throw bad("thenSubscribe", "subscription name is empty or longer than 63 bytes", "give a name");
            }
            if (catalogSchema == null || catalogSchema.isEmpty()) {
                throw bad("catalogSchema", "empty schema name", "give a schema name such as pgferry");
            }
            return new SyncConfig(
                    source,
                    target,
                    include.isEmpty() ? List.of("*.*") : include,
                    exclude,
                    schemaMap,
                    copyMode,
                    workers,
                    chunkRows,
                    copySource,
                    slot,
                    publication,
                    untilCaughtUp || thenSubscribe != null,
                    catalogSchema,
                    batchRows,
                    batchBytes,
                    batchDelay,
                    memoryLimitBytes,
                    spillDirectory,
                    maxRetryTime,
                    ddl,
                    thenSubscribe,
                    foreignTarget,
                    unrepresentable,
                    // The sync's schema map names the topics too (KafkaTarget keeps its own, as the CLI fills it).
                    kafkaTarget == null ? null : kafkaTarget.withSchemaMap(schemaMap));
        }
    }
}
