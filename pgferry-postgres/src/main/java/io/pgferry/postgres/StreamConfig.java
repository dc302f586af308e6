package io.pgferry.postgres;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.checkpoint.FileCheckpointStore;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Dsn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything a {@link ChangeStream} needs, validated once when built: a bad value fails {@link Builder#build()} with a
 * message that names the field and the fix. Immutable.
 *
 * @param source the source database
 * @param publication publication to stream (created for {@code tables} when missing)
 * @param slot logical replication slot, {@code [a-z0-9_]{1,63}} (created when missing)
 * @param tables tables to publish when the publication must be created; empty = use the publication as it is
 * @param snapshot deliver the rows existing when the slot is created (needs a new slot)
 * @param fromLsn start no earlier than this position (INVALID = the slot's confirmed position)
 * @param untilLsn stop once every transaction committed before this position was delivered and acknowledged
 *     (INVALID = run until stopped)
 * @param untilCaughtUp set {@code untilLsn} to the server's WAL position at start
 * @param protocolVersion pgoutput protocol version, 0 = the highest the server supports (14: 2, 15: 3, 16+: 4)
 * @param binary ask for the binary format of column values
 * @param messages deliver logical messages ({@code pg_logical_emit_message})
 * @param streaming let the server stream large in-progress transactions (protocol 2+)
 * @param twoPhase decode prepared transactions at PREPARE (protocol 3+, the slot must be created with two_phase)
 * @param memoryLimitBytes off-heap memory for transactions waiting to be delivered, before spilling to disk
 * @param spillDirectory where spill files go
 * @param checkpointStore where acknowledged progress is kept; by default a file in the state directory (see {@link
 *     #defaultCheckpointFile})
 * @param statusInterval how often to report progress to the server
 * @param checkpointInterval how often to save acknowledged progress when it moved
 * @param heartbeatInterval when idle this long, write a WAL message so the slot can advance (null = never)
 * @param maxRetryTime give up reconnecting after this long without a successful connection
 * @param initialCopy when not null, a new slot is created with an exported snapshot and this copies the existing
 *     rows in bulk, instead of delivering them as Read events (see {@link InitialCopy})
 * @param identityTables the tables the stream's {@linkplain #fingerprint identity} covers, when not {@code tables}:
 *     a sync's are those its destination records, which stay when one is dropped at the source; empty = {@code
 *     tables}
 * @param identityWithoutTables the identity covers no tables at all (a destination whose table list may change
 *     between runs without a place to record the change with the position); {@code identityTables} is then unused
 * @param handlerOwnsPosition the handler's destination keeps the position with what it writes (a Kafka Connect
 *     offset), so the slot advances only by its acknowledgements: never by the stream's advance over idle WAL, and
 *     heartbeats are delivered to it, as messages with the prefix {@link ChangeStream#HEARTBEAT_PREFIX}, for it to
 *     record and acknowledge (see {@link Builder#handlerOwnsPosition})
 */
public record StreamConfig(
        Dsn source,
        String publication,
        String slot,
        List<TableName> tables,
        boolean snapshot,
        Lsn fromLsn,
        Lsn untilLsn,
        boolean untilCaughtUp,
        int protocolVersion,
        boolean binary,
        boolean messages,
        boolean streaming,
        boolean twoPhase,
        long memoryLimitBytes,
        Path spillDirectory,
        CheckpointStore checkpointStore,
        Duration statusInterval,
        Duration checkpointInterval,
        Duration heartbeatInterval,
        Duration maxRetryTime,
        InitialCopy initialCopy,
        List<TableName> identityTables,
        boolean identityWithoutTables,
        boolean handlerOwnsPosition) {

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    public StreamConfig {
        tables = List.copyOf(tables);
        identityTables = List.copyOf(identityTables);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * pgferry's state directory: the system property {@code pgferry.state.dir}, else {@code $PGFERRY_STATE_DIR}, else
     * {@code $XDG_STATE_HOME/pgferry}, else {@code ~/.local/state/pgferry}. Not created here.
     */
    public static Path stateDirectory() {
        String dir = System.getProperty("pgferry.state.dir");
        if (dir == null || dir.isEmpty()) {
            dir = System.getenv("PGFERRY_STATE_DIR");
        }
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir);
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        return xdg != null && !xdg.isEmpty()
                ? Path.of(xdg, "pgferry")
                : Path.of(System.getProperty("user.home"), ".local", "state", "pgferry");
    }

    /**
     * Where a stream keeps its checkpoint unless told otherwise: {@code <state dir>/<slot>@<host>_<port>_<db>.checkpoint},
     * the state directory being the system property {@code pgferry.state.dir}, else {@code $PGFERRY_STATE_DIR}, else
     * {@code $XDG_STATE_HOME/pgferry}, else {@code ~/.local/state/pgferry}.
     */
    public static Path defaultCheckpointFile(Dsn source, String slot) {
        Path base = stateDirectory();
        String name = slot + "@" + source.host() + "_" + source.port() + "_" + source.dbname();
        return base.resolve(name.replaceAll("[^A-Za-z0-9_.@-]", "_") + ".checkpoint");
    }

    /**
     * Identifies what this configuration streams (the server's system identifier, database, slot, publication,
     * tables), so a checkpoint written for another stream, or for another server that happens to have the same
     * address, is recognised. Never includes the password.
     *
     * @param systemIdentifier the server's system identifier (IDENTIFY_SYSTEM, pg_control_system())
     */
    public String fingerprint(String systemIdentifier) {
        StringBuilder s = new StringBuilder()
                .append(systemIdentifier)
                .append('|')
                .append(source.host())
                .append('|')
                .append(source.port())
                .append('|')
                .append(source.dbname())
                .append('|')
                .append(slot)
                .append('|')
                .append(publication);
        (identityWithoutTables ? List.<TableName>of() : identityTables.isEmpty() ? tables : identityTables)
                .stream().map(TableName::toString).sorted().distinct().forEach(t -> s.append('|')
                        .append(t));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * Builds a {@link StreamConfig}; defaults suit a stream that runs until stopped. The defaults a command line shows
     * are public constants here, so that they are stated once.
     */
    public static final class Builder {
        public static final String DEFAULT_PUBLICATION = "pgferry_pub";
        public static final String DEFAULT_SLOT = "pgferry_slot";
        /** In MiB: an int constant, so that a command line can show it as {@code DEFAULT_MEMORY_LIMIT_MB + "MB"}. */
        public static final int DEFAULT_MEMORY_LIMIT_MB = 64;
        /** In minutes, for the same reason. */
        public static final int DEFAULT_MAX_RETRY_MINUTES = 5;

        private Dsn source;
        private String publication = DEFAULT_PUBLICATION;
        private String slot = DEFAULT_SLOT;
        private final List<TableName> tables = new ArrayList<>();
        private final List<TableName> identityTables = new ArrayList<>();
        private boolean identityWithoutTables;
        private boolean snapshot;
        private Lsn fromLsn = Lsn.INVALID;
        private Lsn untilLsn = Lsn.INVALID;
        private boolean untilCaughtUp;
        private int protocolVersion;
        private boolean binary;
        private boolean messages = true;
        private boolean streaming = true;
        private boolean twoPhase;
        private long memoryLimitBytes = (long) DEFAULT_MEMORY_LIMIT_MB << 20;
        private Path spillDirectory = Path.of(System.getProperty("java.io.tmpdir"), "pgferry-spill");
        private CheckpointStore checkpointStore;
        private Duration statusInterval = Duration.ofSeconds(1);
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private Duration heartbeatInterval;
        private Duration maxRetryTime = Duration.ofMinutes(DEFAULT_MAX_RETRY_MINUTES);
        private InitialCopy initialCopy;
        private boolean handlerOwnsPosition;

        public Builder source(Dsn dsn) {
            this.source = dsn;
            return this;
        }

        /** A {@code postgresql://} URI or libpq {@code key=value} string. */
        public Builder source(String dsn) {
            return source(Dsn.parse(dsn));
        }

        public Builder publication(String name) {
            this.publication = name;
            return this;
        }

        public Builder slot(String name) {
            this.slot = name;
            return this;
        }

        /** Tables as {@code schema.table}; quote parts with capitals or dots, as in SQL. */
        public Builder tables(String... names) {
            for (String n : names) {
                tables.add(TableName.parse(n));
            }
            return this;
        }

        public Builder tables(List<TableName> names) {
            tables.addAll(names);
            return this;
        }

        /** An identity that covers no tables ({@link StreamConfig}). */
        public Builder identityWithoutTables(boolean without) {
            this.identityWithoutTables = without;
            return this;
        }

        /** The tables the stream's identity covers, when not those it publishes ({@link StreamConfig}). */
        public Builder identityTables(List<TableName> names) {
            identityTables.addAll(names);
            return this;
        }

        public Builder snapshot(boolean on) {
            this.snapshot = on;
            return this;
        }

        public Builder fromLsn(Lsn lsn) {
            this.fromLsn = lsn;
            return this;
        }

        public Builder untilLsn(Lsn lsn) {
            this.untilLsn = lsn;
            return this;
        }

        public Builder untilCaughtUp(boolean on) {
            this.untilCaughtUp = on;
            return this;
        }

        public Builder protocolVersion(int version) {
            this.protocolVersion = version;
            return this;
        }

        public Builder binary(boolean on) {
            this.binary = on;
            return this;
        }

        public Builder messages(boolean on) {
            this.messages = on;
            return this;
        }

        public Builder streaming(boolean on) {
            this.streaming = on;
            return this;
        }

        public Builder twoPhase(boolean on) {
            this.twoPhase = on;
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

        public Builder checkpointStore(CheckpointStore store) {
            this.checkpointStore = store;
            return this;
        }

        public Builder statusInterval(Duration d) {
            this.statusInterval = d;
            return this;
        }

        public Builder checkpointInterval(Duration d) {
            this.checkpointInterval = d;
            return this;
        }

        public Builder heartbeatInterval(Duration d) {
            this.heartbeatInterval = d;
            return this;
        }

        public Builder maxRetryTime(Duration d) {
            this.maxRetryTime = d;
            return this;
        }

        /** Copies existing rows in bulk when the slot is created (see {@link InitialCopy}); null for none. */
        public Builder initialCopy(InitialCopy copy) {
            this.initialCopy = copy;
            return this;
        }

        /**
         * For a handler whose destination stores the position it reached with what it writes, and must never find the
         * slot ahead of that position (a Kafka Connect source task, whose offsets are the position): the slot then
         * advances only by the handler's acknowledgements. The stream does not move the acknowledged position over
         * WAL that carried nothing for the handler, as it otherwise does while idle; instead its heartbeats (with
         * {@link #heartbeatInterval}, which then also turns {@link #messages} on) are delivered to the handler as
         * non-transactional messages with the prefix {@link ChangeStream#HEARTBEAT_PREFIX}: a handler records each
         * and acknowledges it once recorded, which lets the slot advance while the published tables are quiet.
         */
        public Builder handlerOwnsPosition(boolean on) {
            this.handlerOwnsPosition = on;
            return this;
        }

        /** Validates every field; the first bad one is a {@link PgFerryException} naming it and the fix. */
        public StreamConfig build() {
            if (source == null) {
                throw bad(
                        "source",
                        "no source database given",
                        "give the source database as a postgresql:// URI or key=value string");
            }
            if (slot == null || !SLOT_NAME.matcher(slot).matches()) {
                throw bad(
                        "slot",
                        "slot name '" + slot + "' is not valid",
                        "use 1 to 63 characters of a-z, 0-9 and _ (for example pgferry_slot)");
            }
            if (publication == null || publication.isEmpty() || publication.length() > 63) {
                throw bad("publication", "publication name is empty or longer than 63 bytes", "give a name");
            }
            if (protocolVersion < 0 || protocolVersion > 4) {
                throw bad("protocolVersion", "protocol version " + protocolVersion + " is not 1 to 4", "omit it");
            }
            if (memoryLimitBytes < 0) {
                throw bad("memoryLimit", "memory limit is negative", "give a size such as 64MB");
            }
            if (snapshot && initialCopy != null) {
                throw bad("snapshot", "both snapshot delivery and an initial copy given", "choose one");
            }
            if (untilCaughtUp && untilLsn.isValid()) {
                throw bad("until", "both an end LSN and until-caught-up given", "choose one");
            }
            for (Duration d : List.of(statusInterval, checkpointInterval, maxRetryTime)) {
                if (d.isNegative() || d.isZero()) {
                    throw bad("interval", "intervals must be positive, got " + d, "give a positive duration");
                }
            }
            CheckpointStore store = checkpointStore != null
                    ? checkpointStore
                    : new FileCheckpointStore(defaultCheckpointFile(source, slot));
            return new StreamConfig(
                    source,
                    publication,
                    slot,
                    tables,
                    snapshot,
                    fromLsn,
                    untilLsn,
                    untilCaughtUp,
                    protocolVersion,
                    binary,
                    messages || (handlerOwnsPosition && heartbeatInterval != null),
                    streaming,
                    twoPhase,
                    memoryLimitBytes,
                    spillDirectory,
                    store,
                    statusInterval,
                    checkpointInterval,
                    heartbeatInterval,
                    maxRetryTime,
                    initialCopy,
                    identityTables,
                    identityWithoutTables,
                    handlerOwnsPosition);
        }

        private static PgFerryException bad(String field, String problem, String fix) {
            return PgFerryException.fatal("invalid configuration (" + field + "): " + problem, fix);
        }
    }
}
