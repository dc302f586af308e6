package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.sink.Stage;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkedCopy;
import io.pgferry.engine.copy.CopySource;
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
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A sync into PostgreSQL, as {@link SyncEngine} describes it: the target's tables are created or checked, copied
 * from one exported snapshot ({@link SnapshotCopy}) or in key-range chunks ({@link ChunkedCopy}), then every change
 * is applied by {@link JdbcSink} with the position stored in the same target transaction. Start here for the order
 * of a run: the checks (nothing is created when one fails), the start decision ({@link TargetStart}), the copy, the
 * stream and, at its end, the sequences and the hand-over.
 */
final class PostgresSync {
    private final SyncConfig config;
    private final Stage stage;
    private final SyncEngine engine;
    private final Dialect dialect = new PostgresDialect();

    PostgresSync(SyncConfig config, Stage stage, SyncEngine engine) {
        this.config = config;
        this.stage = stage;
        this.engine = engine;
    }

    SyncEngine.Result run() {
        String where = config.target().endpoints() + "/" + config.target().dbname();
        try (Connection source = SyncChecks.openSource(config);
                Connection target = Connections.open(config.target());
                Connection lock = Connections.open(config.target())) {
            SyncChecks.lock(lock, config);
            HandOver.refuseHandedOver(target, config);
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
            AddedTables.Selection selection =
                    AddedTables.forRun(config, dialect, source, target, catalog, names, resuming, where);
            names = selection.names();
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
            Supplier<Connection> targetSessions =
                    MoneyLocale.of(source, target, tables).sessions(config.target());
            engine.masks().refuseLossyKeys(source, tables);
            if (config.copyMode() == CopyMode.CHUNKED) {
                engine.masks().refuseMaskedChunkKeys(tables);
            }
            SyncChecks.checkPartitionRoot(source, config, tables);
            RowSecurity.refuseAtSource(source, config, tables, resuming, adding);
            ColumnLists.refuse(source, config, tables);
            TargetSchema schema = new TargetSchema(target, config, SyncChecks.selectSequences(source, config));
            TargetSchema.Plan plan = schema.plan(tables);
            RowSecurity.refuseAtTarget(target, plan);
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
                        engine.masks(),
                        targetSessions,
                        engine::copyStarted,
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
                        targetSessions,
                        engine::copyStarted,
                        engine.masks());
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
                        targetSessions,
                        engine::copyStarted,
                        engine.masks());
            } else if (!resume) {
                PostData.build(target, tables, plan);
            }
            Map<TableName, TargetTable> targets = plan.targets();
            boolean[] streaming = {resume && allStreaming(target, catalog)};
            MovedRowValues moved = new MovedRowValues(config.source());
            ApplyHandler h = new ApplyHandler(
                    () -> {
                        JdbcSink sink = new JdbcSink(
                                targetSessions,
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
            StreamConfig streamConfig = ForeignSync.streamBuilder(config, names, identity, store, copy, false)
                    .build();
            ChangeStream s = ChangeStream.create(streamConfig, h);
            try {
                if (!engine.started(s, h)) {
                    return new SyncEngine.Result(false, Lsn.INVALID, 0, 0);
                }
                SourceWatch w = engine.watchSource(
                        new CatalogDestination(catalog, () -> Connections.open(config.target())), names);
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
            if (engine.restarting()) {
                return new SyncEngine.Result(copy != null, Lsn.INVALID, h.applied(), 0);
            }
            // Fresh connections: those opened at the start sat idle through the stream and may be long gone.
            try (Connection src = Connections.open(config.source());
                    Connection dst = Connections.open(config.target())) {
                int sequences = 0;
                if (config.untilCaughtUp()) {
                    sequences = SequenceSync.copy(src, dst, tables, targets, SyncChecks.selectSequences(src, config));
                    if (!streaming[0]) {
                        streaming[0] = CatchUpEnd.finish(config, catalog, tables, targets, createdTables, false);
                    }
                }
                Lsn at =
                        catalog.position(dst).flatMap(SyncCatalog.Position::lsn).orElse(Lsn.INVALID);
                if (config.thenSubscribe() != null && !engine.stopRequested()) {
                    HandOver.subscribe(dst, config, at);
                }
                return new SyncEngine.Result(copy != null, at, h.applied(), sequences);
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

    /** The position from which changes apply exactly, as the target records it; INVALID when all do. */
    private Lsn exactFrom(SyncCatalog catalog) {
        try (Connection c = Connections.open(config.target())) {
            return catalog.position(c).flatMap(SyncCatalog.Position::exactFrom).orElse(Lsn.INVALID);
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "could not read the position of sync " + config.slot());
        }
    }

    private static boolean allStreaming(Connection target, SyncCatalog catalog) throws SQLException {
        return catalog.states(target).stream().allMatch(SyncEngine::streams);
    }
}
