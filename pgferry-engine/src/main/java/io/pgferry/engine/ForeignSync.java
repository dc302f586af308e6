package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.CheckpointStore;
import io.pgferry.core.event.Column;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.ReplicaIdentity;
import io.pgferry.core.sink.ChangeSink;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.DdlMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ChunkPlan;
import io.pgferry.engine.copy.ChunkedCopy;
import io.pgferry.engine.copy.CopySource;
import io.pgferry.engine.copy.ForeignChunkedCopy;
import io.pgferry.engine.copy.ForeignCopy;
import io.pgferry.engine.schema.ColumnDef;
import io.pgferry.engine.schema.SourceCatalog;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.CopyChunks;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.jdbc.JdbcSink;
import io.pgferry.jdbc.SyncCatalog;
import io.pgferry.jdbc.TargetCheckpointStore;
import io.pgferry.jdbc.TargetTable;
import io.pgferry.jdbc.foreign.ForeignDialect;
import io.pgferry.jdbc.foreign.JdbcTarget;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.SnapshotSlot;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sync into a database that is not PostgreSQL (MySQL, MariaDB, SQLite): the same stream, apply engine and
 * exactly-once position as {@link SyncEngine}'s PostgreSQL path, with tables created through the destination's type
 * mapping ({@link ForeignDialect}) and the initial copy decoded and converted row by row ({@link ForeignCopy}, or
 * {@link ForeignChunkedCopy} with its idempotent replay).
 * Everything is checked before anything is created; a restart resumes from the position stored with the data.
 */
final class ForeignSync {
    private static final Logger log = LoggerFactory.getLogger(ForeignSync.class);

    private final SyncConfig config;
    private final Stage stage;
    private final SyncEngine engine;
    private final JdbcTarget target;
    private final String where;

    ForeignSync(SyncConfig config, Stage stage, SyncEngine engine) {
        this.config = config;
        this.stage = stage;
        this.engine = engine;
        this.target = config.foreignTarget();
        this.where = target.description();
    }

    SyncEngine.Result run() {
        try (Connection source = SyncChecks.openSource(config);
                Connection dst = target.connect()) {
            if (config.copySource() != null) {
                try (Connection standby = Connections.open(config.copySource())) {
                    CopySource.check(standby, source, ChunkedCopy.describe(config.copySource()));
                }
            }
            ForeignDialect dialect = target.dialect(dst, config.unrepresentable());
            for (String warning : dialect.checkServer(dst)) {
                log.warn("{}", warning);
            }
            List<TableName> names = SyncChecks.selectTables(source, config);
            SyncCatalog catalog = new SyncCatalog(dialect, config.catalogSchema(), config.slot());
            Optional<SyncCatalog.Position> position = position(dst, catalog);
            boolean resume = position.isPresent() && position.get().lsn().isPresent();
            AddedTables.Selection selection =
                    AddedTables.forRun(config, dialect, source, dst, catalog, names, resume, where);
            names = selection.names();
            List<TableName> adding = selection.adding();
            List<TableName> identity = selection.identity();
            List<SourceTable> tables = ForeignSync.readTables(config, names);
            engine.masks().refuseLossyKeys(source, tables);
            if (config.copyMode() == CopyMode.CHUNKED) {
                engine.masks().refuseMaskedChunkKeys(tables);
            }
            SyncChecks.checkPartitionRoot(source, config, tables);
            RowSecurity.refuseAtSource(source, config, tables, resume, adding);
            ColumnLists.refuse(source, config, tables);
            Map<TableName, Relation> relations = new LinkedHashMap<>();
            Map<TableName, TargetTable> targets = new LinkedHashMap<>();
            Map<TargetTable, TableName> taken = new HashMap<>();
            for (SourceTable t : tables) {
                SyncChecks.checkIdentity(t);
                Relation r = relation(t);
                relations.put(t.name(), r);
                TargetTable tt = targetOf(dialect, t);
                // As the destination tells names apart: "T" and "t" are one table in SQLite.
                TableName other = taken.put(dialect.identity(tt), t.name());
                if (other != null) {
                    throw PgFerryException.fatal(
                            "source tables " + other + " and " + t.name() + " would both go to " + tt + " at " + where,
                            "map one of their schemas elsewhere with the schema map");
                }
                targets.put(t.name(), tt);
            }
            ForeignTables schema = new ForeignTables(dialect, where, tables, relations, targets);
            Map<TableName, List<Column>> missing = new LinkedHashMap<>();
            Map<TableName, Boolean> create = schema.plan(dst, missing);
            SyncChecks.refuseOtherWriters(dst, catalog, targets, where);
            SlotAdmin slots = new SlotAdmin(source, config.source());
            boolean copies = config.copyMode() != CopyMode.NONE;
            Map<TableName, Boolean> created = new HashMap<>();
            if (resume) {
                for (SourceTable t : tables) {
                    if (create.get(t.name()) && !adding.contains(t.name())) {
                        throw PgFerryException.fatal(
                                "target table " + targets.get(t.name()) + " is gone, but sync " + config.slot()
                                        + " was streaming into it",
                                "restore it, or start the sync over: drop slot " + config.slot()
                                        + " and delete the sync's row from its sync_progress table");
                    }
                }
                if (config.ddl() == DdlMode.APPLY) {
                    schema.addMissingColumns(dst, missing);
                } else {
                    schema.requireColumns(missing, ", or let the sync add it (DDL mode apply)");
                }
                for (SyncCatalog.TableStatus st : catalog.states(dst)) {
                    created.put(TableName.parse(st.sourceTable()), st.createdBySync());
                }
                log.info(
                        "resuming sync {} from {} (recorded at {})",
                        config.slot(),
                        position.get().lsn().get(),
                        where);
                if (!adding.isEmpty()) {
                    add(dst, dialect, source, tables, relations, targets, created, catalog, adding, names, identity);
                }
            } else {
                schema.requireColumns(missing, ", or drop the table to let the sync create it");
                boolean unfinished = position.isPresent();
                boolean chunked = config.copyMode() == CopyMode.CHUNKED;
                if (chunked) {
                    Map<TableName, Boolean> creating = create;
                    SyncChecks.checkChunkable(
                            dst,
                            tables,
                            targets,
                            creating::get,
                            !unfinished,
                            dialect,
                            (tt, key) -> dialect.hasUniqueKey(dst, tt, key));
                }
                Optional<SlotAdmin.SlotInfo> slot = slots.find(config.slot());
                boolean slotExists = slot.isPresent();
                if (copies && !unfinished) {
                    if (slotExists) {
                        throw SyncChecks.slotTaken(slot.get(), config, where);
                    }
                    schema.requireEmpty(dst, create);
                }
                if (unfinished) {
                    // A catalog made by an older release gains the tables this one keeps.
                    SyncCatalog.create(dst, dialect, config.catalogSchema());
                }
                // A chunked copy resumes on its slot, which still holds every change since the copy began; one
                // without a stored plan has copied nothing yet and simply starts over.
                List<CopyChunks.Chunk> planned = unfinished && chunked && slotExists
                        ? catalog.copyChunks().load(dst)
                        : List.of();
                if (!planned.isEmpty()) {
                    ChunkPlan.checkPlanCovers(config, tables, planned);
                    log.info("resuming the unfinished chunked copy of sync {}", config.slot());
                    for (SyncCatalog.TableStatus st : catalog.states(dst)) {
                        created.put(TableName.parse(st.sourceTable()), st.createdBySync());
                    }
                } else {
                    if (unfinished && copies) {
                        log.warn(
                                "a previous initial copy of sync {} did not finish: emptying its tables and starting"
                                        + " it again",
                                config.slot());
                        restartCopy(dst, dialect, catalog, slots);
                        create = schema.plan(dst, missing);
                    }
                    schema.createTables(dst, create);
                    SyncCatalog.create(dst, dialect, config.catalogSchema());
                    catalog.register(dst, null);
                    for (SourceTable t : tables) {
                        created.put(t.name(), create.get(t.name()));
                        catalog.setState(
                                dst,
                                t.name().toString(),
                                targets.get(t.name()),
                                TableState.INIT,
                                0,
                                0,
                                create.get(t.name()),
                                null);
                    }
                }
            }
            try {
                return stream(
                        dialect,
                        tables,
                        relations,
                        targets,
                        created,
                        catalog,
                        resume,
                        names,
                        identity,
                        new OtherTables(tables, adding, config.slot(), config.publication()));
            } catch (RuntimeException e) {
                TableErrors.record(e, catalog, target::connect);
                throw e;
            }
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "sync " + config.slot() + " failed");
        }
    }

    /** Adds {@code adding} to the resumed sync, as {@link AddedTables} does for a PostgreSQL target. */
    private void add(
            Connection dst,
            ForeignDialect dialect,
            Connection source,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            SyncCatalog catalog,
            List<TableName> adding,
            List<TableName> names,
            List<TableName> identity)
            throws SQLException {
        List<SourceTable> added =
                tables.stream().filter(t -> adding.contains(t.name())).toList();
        // An addition that did not finish: its snapshot is gone, so its rows go and are copied again.
        try (Statement st = dst.createStatement()) {
            for (SyncCatalog.TableStatus r : catalog.states(dst)) {
                if (adding.contains(TableName.parse(r.sourceTable()))) {
                    AddedTables.recopying(r.sourceTable(), r.state(), config.slot());
                    st.execute((r.createdBySync() ? "DROP TABLE IF EXISTS " : "DELETE FROM ")
                            + dialect.qualified(r.target()));
                }
            }
        }
        ForeignTables schema = new ForeignTables(dialect, where, added, relations, targets);
        Map<TableName, Boolean> create = schema.plan(dst, new LinkedHashMap<>());
        schema.requireEmpty(dst, create);
        // Recorded before the tables are made: a start after a crash finds them unfinished and makes them again.
        for (SourceTable t : added) {
            created.put(t.name(), create.get(t.name()));
            catalog.setState(
                    dst, t.name().toString(), targets.get(t.name()), TableState.INIT, 0, 0, create.get(t.name()), null);
            AddedTables.setApplyFrom(dst, dialect, config, t.name().toString(), AddedTables.UNFINISHED);
        }
        schema.createTables(dst, create);
        AddedTables.publish(config, source, adding);
        log.warn(
                "adding {} to sync {}: copying from a snapshot of their own, then streaming on", adding, config.slot());
        TargetCheckpointStore checkpoints = new TargetCheckpointStore(target::connect, catalog, where);
        try (SnapshotSlot snapshot =
                SnapshotSlot.create(config.source(), AddedTables.snapshotSlotName(config.slot()))) {
            String fingerprint = streamBuilder(config, names, identity, checkpoints, null, false)
                    .build()
                    .fingerprint(snapshot.systemIdentifier());
            CatalogLedger ledger = new CatalogLedger(target::connect, catalog, targets, created, (c, point) -> {
                c.setAutoCommit(false);
                AddedTables.recordCopied(c, dialect, config, adding, point, fingerprint);
                c.commit();
            });
            new ForeignCopies(
                            config,
                            engine,
                            dialect,
                            targets,
                            catalog,
                            indexes(dialect, added, relations, targets, created))
                    .snapshot(added, relations, ledger, () -> fingerprint)
                    .copy(snapshot.snapshotName(), snapshot.consistentPoint(), adding);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw AddedTables.copyFailed(config, adding, e);
        }
    }

    private SyncEngine.Result stream(
            ForeignDialect dialect,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created,
            SyncCatalog catalog,
            boolean resume,
            List<TableName> names,
            List<TableName> identity,
            OtherTables others)
            throws SQLException {
        AppliedFrom appliedFrom = AppliedFrom.NONE;
        if (resume) {
            try (Connection c = target.connect()) {
                appliedFrom = AddedTables.appliedFrom(c, dialect, config);
            }
        }
        TargetCheckpointStore store = new TargetCheckpointStore(target::connect, catalog, where);
        Supplier<ChangeSink> sinks = () -> new JdbcSink(
                target::connect, dialect, r -> SyncChecks.targetOf(targets, r), catalog, store::fingerprint, where);
        InitialCopy copy = null;
        ForeignCopies copies = new ForeignCopies(
                config, engine, dialect, targets, catalog, indexes(dialect, tables, relations, targets, created));
        if (!resume && config.copyMode() == CopyMode.SNAPSHOT) {
            copy = copies.snapshot(
                    tables,
                    relations,
                    new CatalogLedger(target::connect, catalog, targets, created, store::fingerprint),
                    store::fingerprint);
        } else if (!resume && config.copyMode() == CopyMode.CHUNKED) {
            copy = copies.chunked(tables, relations, created, store::fingerprint);
        }
        ForeignCatchUp catchUp = new ForeignCatchUp(config, catalog);
        boolean[] streaming = {resume && catchUp.allStreaming()};
        // After a chunked copy the tables are streaming once the replay of the changes made during it is over.
        Runnable caughtUp = () -> {
            if (!streaming[0] && catchUp.replayed()) {
                streaming[0] = catchUp.markStreaming();
            }
        };
        MovedRowValues moved = new MovedRowValues(config.source());
        ApplyHandler h = new ApplyHandler(
                sinks,
                new Replay(catchUp::exactFrom, moved, () -> {
                    moved.close();
                    if (!streaming[0]) {
                        streaming[0] = catchUp.markStreaming();
                    }
                }),
                config.memoryLimitBytes(),
                others.andThen(stage),
                appliedFrom,
                new SchemaWatch(tables, config.ddl(), new AddedColumnValues(config.source())),
                config.batchRows(),
                config.batchBytes(),
                config.batchDelay(),
                caughtUp);
        StreamConfig streamConfig =
                streamBuilder(config, names, identity, store, copy, false).build();
        ChangeStream s = ChangeStream.create(streamConfig, h);
        if (!engine.started(s, h)) {
            return new SyncEngine.Result(false, Lsn.INVALID, 0, 0);
        }
        SourceWatch watch = engine.watchSource(new CatalogDestination(catalog, target::connect), names);
        try {
            s.run();
            watch.finish();
        } finally {
            watch.close();
            h.close();
            moved.close();
            store.close();
        }
        if (config.untilCaughtUp() && !engine.restarting()) {
            caughtUp.run();
        }
        try (Connection c = target.connect()) {
            Lsn at = catalog.position(c).flatMap(SyncCatalog.Position::lsn).orElse(Lsn.INVALID);
            return new SyncEngine.Result(copy != null, at, h.applied(), 0);
        }
    }

    /** The definitions of the selected source tables, read on a connection of their own. */
    static List<SourceTable> readTables(SyncConfig config, List<TableName> names) throws SQLException {
        try (Connection catalogConnection = Connections.open(config.source())) {
            return new SourceCatalog(catalogConnection, config).read(names);
        }
    }

    /**
     * The stream a sync runs: every selected table, its position kept by {@code store}. Its identity covers {@code
     * identity}, the tables the destination records (empty: {@code names}), so that a table dropped at the source
     * leaves the stored position valid. Before, the sync refused its own position at the next start ("written for
     * another ... table list"). Issue 5.
     */
    static StreamConfig.Builder streamBuilder(
            SyncConfig config,
            List<TableName> names,
            List<TableName> identity,
            CheckpointStore store,
            InitialCopy copy,
            boolean messages) {
        return StreamConfig.builder()
                .source(config.source())
                .slot(config.slot())
                .publication(config.publication())
                .tables(names)
                .identityTables(identity)
                .messages(messages)
                .streaming(true)
                .untilCaughtUp(config.untilCaughtUp())
                .memoryLimitBytes(config.memoryLimitBytes())
                .spillDirectory(config.spillDirectory())
                .maxRetryTime(config.maxRetryTime())
                .checkpointStore(store)
                .initialCopy(copy);
    }

    private ForeignIndexes indexes(
            ForeignDialect dialect,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            Map<TableName, TargetTable> targets,
            Map<TableName, Boolean> created) {
        return new ForeignIndexes(
                config.source(), tables, relations, targets, created, dialect, target::connect, where);
    }

    /** The relation a source table's rows arrive in, as the stream describes it: key columns flagged. */
    static Relation relation(SourceTable t) {
        boolean full = t.replicaIdentity() == 'f';
        List<Column> columns = new ArrayList<>();
        for (ColumnDef c : t.copyColumns()) {
            columns.add(new Column(
                    c.name(),
                    c.typeOid(),
                    c.typeModifier(),
                    full || t.primaryKey().contains(c.name())));
        }
        return new Relation(
                (int) t.oid(),
                t.name().schema(),
                t.name().name(),
                full ? ReplicaIdentity.FULL : ReplicaIdentity.DEFAULT,
                columns);
    }

    private TargetTable targetOf(ForeignDialect dialect, SourceTable t) {
        try {
            return dialect.target(
                    t.name().schema(),
                    t.name().name(),
                    config.schemaMap().get(t.name().schema()));
        } catch (IllegalArgumentException e) {
            throw PgFerryException.fatal(
                    "source table " + t.name() + " cannot be named at " + where + ": " + e.getMessage(),
                    "rename it at the source, or map its schema elsewhere with the schema map");
        }
    }

    private static Optional<SyncCatalog.Position> position(Connection dst, SyncCatalog catalog) {
        try {
            return catalog.position(dst);
        } catch (SQLException e) {
            // No catalog yet: a sync that never ran.
            return Optional.empty();
        }
    }

    /**
     * Undoes an unfinished copy: forgets its chunks, drops the tables it created, empties those it was filling, drops
     * its slot.
     */
    private void restartCopy(Connection dst, ForeignDialect dialect, SyncCatalog catalog, SlotAdmin slots)
            throws SQLException {
        catalog.copyChunks().clear(dst);
        try (Statement st = dst.createStatement()) {
            for (SyncCatalog.TableStatus s : catalog.states(dst)) {
                st.execute(
                        (s.createdBySync() ? "DROP TABLE IF EXISTS " : "DELETE FROM ") + dialect.qualified(s.target()));
            }
        }
        if (slots.find(config.slot()).isPresent()) {
            slots.drop(config.slot());
            log.info("dropped slot {} of the unfinished copy", config.slot());
        }
    }
}
