package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.sink.MaskingStage;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.TableState;
import io.pgferry.core.sink.ValueMask;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkedCopy;
import io.pgferry.engine.copy.CopyProgress;
import io.pgferry.engine.copy.CopySource;
import io.pgferry.engine.copy.Masks;
import io.pgferry.engine.copy.SnapshotCopy;
import io.pgferry.engine.schema.PostData;
import io.pgferry.engine.schema.SequenceSync;
import io.pgferry.engine.schema.SourceCatalog;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.engine.schema.TargetSchema;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.Dialect;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.JdbcSink;
import io.pgferry.jdbc.PostgresDialect;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetCheckpointStore;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.StreamStats;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a set of tables of a PostgreSQL source in sync at a PostgreSQL target (or, through {@link ForeignSync}, at
 * MySQL, MariaDB or SQLite): checks everything first (nothing is
 * created on either side when a check fails), creates missing target tables, copies the existing rows from the
 * slot's exported snapshot, then applies every change in commit order, exactly once.
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

    private final SyncConfig config;
    private final Stage stage;
    private final Masks masks;
    private final Dialect dialect = new PostgresDialect();
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
        PublicationWatch p = config.publication() == null
                ? null
                : new PublicationWatch(
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
        String where = config.target().endpoints() + "/" + config.target().dbname();
        try (Connection source = SyncChecks.openSource(config);
                Connection target = Connections.open(config.target());
                Connection lock = Connections.open(config.target())) {
            SyncChecks.lock(lock, config);
            if (config.copySource() != null) {
                try (Connection standby = Connections.open(config.copySource())) {
                    CopySource.check(standby, source, ChunkedCopy.describe(config.copySource()));
                }
            }
            if (config.thenSubscribe() != null) {
                HandOver.check(target, config);
            }
            List<TableName> names = SyncChecks.selectTables(source, config);
            SyncCatalog catalog = new SyncCatalog(dialect, config.catalogSchema(), config.slot());
            boolean catalogExists = SyncChecks.catalogExists(target, config);
            Optional<SyncCatalog.Position> position = catalogExists ? catalog.position(target) : Optional.empty();
            boolean resuming = position.isPresent() && position.get().lsn().isPresent();
            AddedTables.Selection selection = resuming
                    ? AddedTables.select(config, dialect, source, target, catalog, names, where)
                    : AddedTables.Selection.fresh(names);
            names = selection.names();
            if (!resuming) {
                SyncChecks.requirePublished(source, config, names);
            }
            if (config.thenSubscribe() != null) {
                HandOver.checkPublication(source, config, names);
            }
            List<TableName> adding = selection.adding();
            List<TableName> identity = selection.identity();
            List<SourceTable> tables;
            try (Connection catalogConnection = Connections.open(config.source())) {
                tables = new SourceCatalog(catalogConnection, config).read(names);
            }
            for (SourceTable t : tables) {
                SyncChecks.checkIdentity(t);
            }
            masks.refuseLossyKeys(source, tables);
            if (config.copyMode() == CopyMode.CHUNKED) {
                masks.refuseMaskedChunkKeys(tables);
            }
            SyncChecks.checkPartitionRoot(source, config, tables);
            TargetSchema schema = new TargetSchema(target, config);
            TargetSchema.Plan plan = schema.plan(tables);
            if (catalogExists) {
                SyncChecks.refuseOtherWriters(target, catalog, plan.targets(), where);
            }
            CopyChunks chunkStore = new CopyChunks(dialect, config.catalogSchema(), config.slot());
            TargetStart.Decision start = TargetStart.decide(
                    config,
                    dialect,
                    target,
                    tables,
                    schema,
                    plan,
                    catalog,
                    position,
                    chunkStore,
                    new SlotAdmin(source, config.source()),
                    Set.copyOf(adding));
            boolean resume = start.resume();
            plan = start.plan();
            Set<String> created = start.created();
            TargetCheckpointStore store =
                    new TargetCheckpointStore(() -> Connections.open(config.target()), catalog, where);
            if (resume && !adding.isEmpty()) {
                List<TableName> streamed = names;
                List<TableName> covered = identity;
                AddedTables.add(
                        config,
                        dialect,
                        source,
                        target,
                        tables,
                        adding,
                        schema,
                        catalog,
                        masks,
                        p -> progress = p,
                        id -> ForeignSync.streamBuilder(config, streamed, covered, store, null, false)
                                .build()
                                .fingerprint(id));
            }
            AppliedFrom appliedFrom = resume ? AddedTables.appliedFrom(target, dialect, config) : AppliedFrom.NONE;
            Set<TableName> createdTables = new HashSet<>();
            for (SourceTable t : tables) {
                if (created.contains(t.name().toString())) {
                    createdTables.add(t.name());
                }
            }
            InitialCopy copy = null;
            if (!resume && config.copyMode() == CopyMode.SNAPSHOT) {
                copy = new SnapshotCopy(
                        config,
                        tables,
                        plan,
                        catalog,
                        store::fingerprint,
                        () -> Connections.open(config.source()),
                        () -> Connections.open(config.target()),
                        p -> progress = p,
                        masks);
            } else if (!resume && config.copyMode() == CopyMode.CHUNKED) {
                copy = new ChunkedCopy(
                        config,
                        tables,
                        plan,
                        createdTables,
                        catalog,
                        chunkStore,
                        store::fingerprint,
                        () -> Connections.open(config.copySource() != null ? config.copySource() : config.source()),
                        () -> Connections.open(config.source()),
                        () -> Connections.open(config.target()),
                        p -> progress = p,
                        masks);
            } else if (!resume) {
                PostData.build(target, tables, plan);
            }
            Map<TableName, TargetTable> targets = plan.targets();
            boolean[] streaming = {resume && allStreaming(target, catalog)};
            MovedRowValues moved = new MovedRowValues(config.source());
            ApplyHandler h = new ApplyHandler(
                    () -> {
                        JdbcSink sink = new JdbcSink(
                                () -> Connections.open(config.target()),
                                dialect,
                                r -> SyncChecks.targetOf(targets, r),
                                catalog,
                                store::fingerprint,
                                where);
                        sink.secondSession();
                        return sink;
                    },
                    new Replay(() -> exactFrom(catalog), moved, () -> {
                        moved.close();
                        if (!streaming[0]) {
                            streaming[0] = CatchUpEnd.finish(config, catalog, tables, targets, createdTables, true);
                        }
                    }),
                    config.memoryLimitBytes(),
                    new OtherTables(tables, adding, config.slot(), config.publication()).andThen(stage),
                    appliedFrom,
                    new SchemaWatch(tables, config.ddl(), new AddedColumnValues(config.source())),
                    config.batchRows(),
                    config.batchBytes(),
                    config.batchDelay(),
                    () -> {
                        if (!streaming[0]) {
                            streaming[0] = CatchUpEnd.finish(config, catalog, tables, targets, createdTables, false);
                        }
                    });
            handler = h;
            StreamConfig streamConfig = ForeignSync.streamBuilder(config, names, identity, store, copy, false)
                    .build();
            ChangeStream s = ChangeStream.create(streamConfig, h);
            stream = s;
            try {
                if (stopRequested) {
                    return new Result(false, Lsn.INVALID, 0, 0);
                }
                SourceWatch w =
                        watchSource(new CatalogDestination(catalog, () -> Connections.open(config.target())), names);
                try {
                    s.run();
                    w.finish();
                } finally {
                    w.close();
                }
            } finally {
                h.close();
                moved.close();
                store.close();
            }
            if (restarting()) {
                return new Result(copy != null, Lsn.INVALID, h.applied(), 0);
            }
            // Fresh connections: those opened at the start sat idle through the stream and may be long gone.
            try (Connection src = Connections.open(config.source());
                    Connection dst = Connections.open(config.target())) {
                int sequences = 0;
                if (config.untilCaughtUp()) {
                    sequences = SequenceSync.copy(src, dst, tables, targets);
                    if (!streaming[0]) {
                        streaming[0] = CatchUpEnd.finish(config, catalog, tables, targets, createdTables, false);
                    }
                }
                Lsn at =
                        catalog.position(dst).flatMap(SyncCatalog.Position::lsn).orElse(Lsn.INVALID);
                if (config.thenSubscribe() != null && !stopRequested) {
                    HandOver.subscribe(dst, config, at);
                }
                return new Result(copy != null, at, h.applied(), sequences);
            }
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "sync " + config.slot() + " failed");
        } catch (RuntimeException e) {
            TableErrors.record(
                    e,
                    new SyncCatalog(dialect, config.catalogSchema(), config.slot()),
                    () -> Connections.open(config.target()));
            throw e;
        }
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
            TargetSchema.Plan plan = new TargetSchema(target, config).plan(tables);
            if (!plan.toCreate().isEmpty()) {
                throw PgFerryException.fatal(
                        "target table "
                                + plan.targets().get(plan.toCreate().get(0).name()) + " does not exist",
                        "sync the tables first");
            }
            return SequenceSync.copy(source, target, tables, plan.targets());
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

    /** The position from which changes apply exactly, as the target records it; INVALID when all do. */
    private Lsn exactFrom(SyncCatalog catalog) {
        try (Connection c = Connections.open(config.target())) {
            return catalog.position(c).flatMap(SyncCatalog.Position::exactFrom).orElse(Lsn.INVALID);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the position of sync " + config.slot());
        }
    }

    /** The source tables (as {@link TableName#toString()} gives them) a sync's records at its target list. */
    static List<String> sourceTables(List<SyncCatalog.TableStatus> states) {
        return states.stream().map(SyncCatalog.TableStatus::sourceTable).toList();
    }

    private static boolean allStreaming(Connection target, SyncCatalog catalog) throws SQLException {
        return catalog.states(target).stream().allMatch(SyncEngine::streams);
    }

    /** Whether a table the sync records needs no more catch-up: it streams, or is no longer the sync's. */
    static boolean streams(SyncCatalog.TableStatus s) {
        return s.state() == TableState.STREAMING || s.state() == TableState.REMOVED;
    }

    /** Called by a copy as it starts, for {@link #copyProgress()}. */
    void copyStarted(CopyProgress p) {
        progress = p;
    }

    /** Records the running stream and applier for {@link #stop()}; false when a stop came first. */
    boolean started(ChangeStream s, ApplyHandler h) {
        handler = h;
        stream = s;
        return !stopRequested;
    }
}
