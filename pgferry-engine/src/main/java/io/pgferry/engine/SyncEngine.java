package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.TableState;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkedCopy;
import io.pgferry.engine.copy.CopyProgress;
import io.pgferry.engine.copy.Masks;
import io.pgferry.engine.schema.SequenceDef;
import io.pgferry.engine.schema.SequenceSync;
import io.pgferry.engine.schema.SourceCatalog;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.JdbcSink;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a set of tables of a PostgreSQL source in sync at a PostgreSQL target ({@link PostgresSync}), at MySQL,
 * MariaDB, SQL Server or SQLite ({@link ForeignSync}) or at Kafka ({@link KafkaSync}): checks everything first
 * (nothing is created on either side when a check fails), creates missing target tables, copies the existing rows,
 * then applies every change in commit order, exactly once. This class owns what every destination shares: the
 * restarts when a table leaves the publication, {@link #stop()}, and the counters that status and metrics read.
 *
 * <p><b>Exactly once.</b> The position of the last applied source transaction is stored at the target in the same
 * transaction as its data ({@link JdbcSink}); the stream confirms a position to the source only after that commit,
 * and a restart resumes from the target's record. A crash at any instant therefore neither loses nor repeats a
 * transaction. A snapshot copy interrupted by a crash is started again, since its snapshot is gone with the process;
 * a chunked copy ({@link ChunkedCopy}) resumes at its first unfinished chunk.
 *
 * <p><b>Threading.</b> {@link #run()} blocks the calling thread; {@link #stop()} may be called from any thread.
 */
public final class SyncEngine {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

    /** As configured until {@link #run()} names its publication ({@link SyncPublication}); read by that thread. */
    private SyncConfig config;

    private final Stage stage;
    private final Masks masks;
    private volatile ChangeStream stream;
    private volatile CopyProgress progress;
    private volatile boolean stopRequested;
    private volatile ApplyHandler handler;
    private volatile SourceWatch watch;
    /** Tables that left the publication while the current run streamed; null while none did. */
    private volatile List<TableName> restart;

    private final AtomicInteger restarts = new AtomicInteger();

    /** What a run did. */
    public record Result(boolean copied, Lsn position, long changesApplied, int sequencesSet) {}

    public SyncEngine(SyncConfig config) {
        this(config, Stage.IDENTITY);
    }

    /** A sync that passes every change through {@code stage} on its way to the target. */
    public SyncEngine(SyncConfig config, Stage stage) {
        this(config, stage, ValueMask.NONE);
    }

    /**
     * A sync that masks values with {@code mask} before any sink sees them, in the initial copy and in every change,
     * then passes each change through {@code stage}. A lossy mask on a key or unique column is refused at start.
     */
    public SyncEngine(SyncConfig config, Stage stage, ValueMask mask) {
        this.config = config;
        this.masks = new Masks(mask);
        this.stage = masks.any() ? new MaskingStage(mask).andThen(stage) : stage;
    }

    /** The masks the copy paths apply. */
    Masks masks() {
        return masks;
    }

    /** The running copy's counters, or null before a copy started (and for a run that copies nothing). */
    public CopyProgress copyProgress() {
        return progress;
    }

    /** The running stream's counters; zero before it starts (for metrics). */
    public StreamStats streamStats() {
        ChangeStream s = stream;
        return s == null ? StreamStats.EMPTY : s.stats();
    }

    /** The running stream's state; STOPPED before it starts (for readiness). */
    public ChangeStream.State streamState() {
        ChangeStream s = stream;
        return s == null ? ChangeStream.State.STOPPED : s.state();
    }

    /** The applier's batches so far. */
    public ApplyStats applyStats() {
        ApplyHandler h = handler;
        return h == null ? ApplyStats.EMPTY : h.stats();
    }

    /** Source tables (schema.table) the streaming phase has applied changes of. */
    public Set<String> tablesApplied() {
        ApplyHandler h = handler;
        return h == null ? Set.of() : h.tableCounts().tables();
    }

    /** Changes of {@code table} (schema.table) the streaming phase applied and committed so far. */
    public long changesApplied(String table) {
        ApplyHandler h = handler;
        return h == null ? 0 : h.tableCounts().applied(table);
    }

    /** The lag in seconds as {@code pgferry status} counts it, from the last look at the source; NaN before one. */
    public double lagSeconds() {
        SourceWatch w = watch;
        Optional<SyncLag> lag = w == null ? Optional.empty() : w.lag();
        return lag.map(l -> l.seconds(Instant.now(), streamStats().lastAcknowledgedCommit()))
                .orElse(Double.NaN);
    }

    /**
     * Starts looking at the source for status and metrics, recording at {@code destination}, and at the publication,
     * for a table of {@code tables} (those the run streams) that leaves it ({@link #restartFor}).
     */
    SourceWatch watchSource(SourceWatch.Destination destination, List<TableName> tables) {
        PublicationWatch p = new PublicationWatch(
                config.slot(), config.publication(), tables, this::restartFor, () -> switch (streamState()) {
                    case SNAPSHOTTING, STREAMING, RECONNECTING -> true;
                    default -> false;
                });
        SourceWatch w = SourceWatch.start(config.source(), config.slot(), destination, p);
        watch = w;
        return w;
    }

    /** Changes applied by the streaming phase so far. */
    public long changesApplied() {
        ApplyHandler h = handler;
        return h == null ? 0 : h.applied();
    }

    /**
     * Runs the sync: until caught up with the source's position at start when so configured, else until
     * {@link #stop()}.
     *
     * <p>A run whose table leaves the publication while it streams ({@link PublicationWatch}) stops streaming and
     * starts again, as a new start would: that start copies the table afresh, or refuses with the fix.
     *
     * @throws PgFerryException for bad input (nothing created), an unreachable server, or a failure while running
     */
    public Result run() {
        config = SyncPublication.resolve(config);
        Result total = null;
        List<TableName> before = null;
        while (true) {
            restart = null;
            long began = System.nanoTime();
            Result r = runOnce();
            total = total == null
                    ? r
                    : new Result(
                            total.copied() || r.copied(),
                            r.position(),
                            total.changesApplied() + r.changesApplied(),
                            r.sequencesSet());
            List<TableName> left = restart;
            if (left == null || stopRequested) {
                return total;
            }
            PublicationWatch.refuseAgain(config.slot(), config.publication(), left, before, System.nanoTime() - began);
            before = left;
            log.info("sync {} starts again, for {}", config.slot(), left);
        }
    }

    /**
     * Called from the source watch's thread when {@code left}, tables of the running sync, left its publication:
     * stops the stream, to start again ({@link #run()}).
     */
    private void restartFor(List<TableName> left) {
        restart = left;
        restarts.incrementAndGet();
        ChangeStream s = stream;
        if (s != null) {
            s.stop();
        }
    }

    /** How many times the sync started again for a table that left its publication. */
    int restarts() {
        return restarts.get();
    }

    /** Whether the run ends to start again: what follows the stream at its end is not done. */
    boolean restarting() {
        return restart != null;
    }

    private Result runOnce() {
        if (config.foreignTarget() != null) {
            return new ForeignSync(config, stage, this).run();
        }
        if (config.kafkaTarget() != null) {
            return new KafkaSync(config, stage, this).run();
        }
        return new PostgresSync(config, stage, this).run();
    }

    /**
     * Sets the target's sequences to the source's and returns how many were set, without copying or streaming
     * anything: for a hand-over done by other means, or before switching writes to the target.
     */
    public int copySequences() {
        try (Connection source = Connections.open(config.source());
                Connection target = Connections.open(config.target());
                Connection catalogConnection = Connections.open(config.source())) {
            List<TableName> names = SyncChecks.selectTables(source, config);
            List<SourceTable> tables = new SourceCatalog(catalogConnection, config).read(names);
            List<SequenceDef> standalone = SyncChecks.selectSequences(source, config);
            TargetSchema.Plan plan = new TargetSchema(target, config, standalone).plan(tables);
            if (!plan.toCreate().isEmpty()) {
                throw PgFerryException.fatal(
                        "target table "
                                + plan.targets().get(plan.toCreate().get(0).name()) + " does not exist",
                        "sync the tables first");
            }
            return SequenceSync.copy(source, target, tables, plan.targets(), standalone);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not set the sequences");
        }
    }

    /** Asks a running sync to stop after the current batch; returns at once. */
    public void stop() {
        stopRequested = true;
        ChangeStream s = stream;
        if (s != null) {
            s.stop();
        }
    }

    /** The source tables (as {@link TableName#toString()} gives them) a sync's records at its target list. */
    static List<String> sourceTables(List<SyncCatalog.TableStatus> states) {
        return states.stream().map(SyncCatalog.TableStatus::sourceTable).toList();
    }

    /** Whether a table the sync records needs no more catch-up: it streams, or is no longer the sync's. */
    static boolean streams(SyncCatalog.TableStatus s) {
        return s.state() == TableState.STREAMING || s.state() == TableState.REMOVED;
    }

    /** Called by a copy as it starts, for {@link #copyProgress()}. */
    void copyStarted(CopyProgress p) {
        progress = p;
    }

    /** Whether {@link #stop()} was called. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Records the running stream and applier for {@link #stop()}; false when a stop came first. */
    boolean started(ChangeStream s, ApplyHandler h) {
        handler = h;
        stream = s;
        return !stopRequested;
    }
}
