package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.PgFerryException;
import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.CopyRangeId;
import io.pgferry.core.sink.SourceState;
import io.pgferry.core.sink.Stage;
import io.pgferry.core.sink.TableFailure;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.CopyMode;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ForeignCopy;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.jdbc.JdbcErrors;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaSink;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.KafkaTarget;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.postgres.ChangeStream;
import io.pgferry.postgres.InitialCopy;
import io.pgferry.postgres.MissingValues;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.SlotAdmin;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sync into Kafka: the same stream and apply engine as the SQL destinations, with {@link KafkaSink} as the sink (one
 * topic per table, Debezium-compatible envelopes) and the position kept in the sync's offsets topic ({@link
 * KafkaPositions}): written in the same Kafka transaction as the records it covers in exactly-once delivery, so a
 * restart resumes where the last committed transaction ended. The initial copy sends every existing row as a read
 * ({@code op "r"}) record, one Kafka transaction per block range. The sync's tables are those its table-state records
 * list ({@link KafkaTableStates}); a table its patterns match that they do not is added at start ({@link
 * KafkaAddedTables}).
 */
final class KafkaSync {
    private static final Logger log = LoggerFactory.getLogger(KafkaSync.class);

    private final SyncConfig config;
    private final Stage stage;
    private final SyncEngine engine;
    private final KafkaTarget target;

    KafkaSync(SyncConfig config, Stage stage, SyncEngine engine) {
        this.config = config;
        this.stage = stage;
        this.engine = engine;
        this.target = config.kafkaTarget();
    }

    SyncEngine.Result run() {
        try (Connection source = SyncChecks.openSource(config);
                KafkaPositions positions = new KafkaPositions(target);
                KafkaTableStates states = new KafkaTableStates(target);
                MissingValues missing = new MissingValues(config.source())) {
            try {
                return run(source, positions, states, missing);
            } catch (RuntimeException e) {
                TableFailure.in(e).filter(f -> !f.isRetriable()).ifPresent(f -> recordError(states, f));
                throw e;
            }
        } catch (SQLException e) {
            throw JdbcErrors.classify(e, "sync " + config.slot() + " failed");
        }
    }

    /** Records the table that stopped the sync; a failure to record is logged, the sync's own error being the one. */
    private static void recordError(KafkaTableStates states, TableFailure f) {
        TableName table = new TableName(f.schema(), f.table());
        try {
            states.saveError(f.schema(), f.table(), table.toString(), f.problem());
        } catch (RuntimeException e) {
            log.warn("could not record table {} in the error state: {}", table, e.getMessage());
        }
    }

    private SyncEngine.Result run(
            Connection source, KafkaPositions positions, KafkaTableStates states, MissingValues missing)
            throws SQLException {
        // Read first: a table the stream meets under a matched name that is not among them was created after the
        // sync's tables were read, so every row it holds is in the stream.
        Set<Integer> existing = TableSelector.oids(source);
        List<TableName> names = SyncChecks.selectTables(source, config);
        Optional<Checkpoint> stored = positions.load();
        boolean resume = stored.isPresent();
        List<TableName> adding = List.of();
        Map<TableName, Lsn> applyFrom = new LinkedHashMap<>();
        if (resume) {
            PublicationChecks publication = new PublicationChecks(source, config.publication());
            List<KafkaTableStates.Stored> recorded =
                    KafkaTableStates.readAll(target, config.slot()).getOrDefault(config.slot(), List.of());
            RemovedTables.refuseMistypedNarrowing(
                    config,
                    source,
                    recorded.stream()
                            .filter(st -> st.state() != TableState.REMOVED)
                            .map(KafkaTableStates.Stored::table)
                            .toList(),
                    names);
            if (publication.exists() && !recorded.isEmpty()) {
                KafkaAddedTables.Selection selection =
                        KafkaAddedTables.select(config, source, names, recorded, publication);
                names = selection.names();
                adding = selection.adding();
                applyFrom.putAll(selection.applyFrom());
            } else if (publication.exists()) {
                // A sync of a release that kept no table states: what its publication publishes is the list.
                List<String> part = names.stream()
                        .filter(publication::publishes)
                        .map(TableName::toString)
                        .toList();
                names = ResumedTables.keep(names, part, config.slot(), "publication " + config.publication());
            }
            // Those that left the sync are recorded and reported by KafkaIdentity.resume.
            RemovedTables.unpublish(config, source, names);
        } else {
            SyncChecks.requirePublished(source, config, names);
        }
        List<SourceTable> tables = ForeignSync.readTables(config, names);
        engine.masks().refuseLossyKeys(source, tables);
        SyncChecks.checkPartitionRoot(source, config, tables);
        RowSecurity.refuseAtSource(source, config, tables, resume, adding);
        ColumnLists.refuse(source, config, tables);
        Map<TableName, Relation> relations = new LinkedHashMap<>();
        Map<TableName, List<String>> keys = new HashMap<>();
        for (SourceTable t : tables) {
            SyncChecks.checkIdentity(t);
            Relation r = ForeignSync.relation(t);
            relations.put(t.name(), r);
            if (!t.primaryKey().isEmpty()) {
                keys.put(t.name(), t.primaryKey());
            }
            if (!KafkaSink.hasKey(r) && t.primaryKey().isEmpty()) {
                log.warn(
                        "table {} has no key (replica identity {}): its records get a null key, so they are"
                                + " spread over partitions in no order and cannot be compacted",
                        t.name(),
                        r.replicaIdentity().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        // The key of a table with REPLICA IDENTITY FULL: its primary key, which pgoutput does not flag; and what the
        // rows a table held when a column was added read in it, for a consumer that adds the column.
        Function<Relation, TableFacts> facts =
                r -> new TableFacts(keys.get(new TableName(r.schema(), r.table())), missing.apply(r));
        SlotAdmin slots = new SlotAdmin(source, config.source());
        boolean slotExists = slots.find(config.slot()).isPresent();
        boolean copies = !resume && config.copyMode() == CopyMode.SNAPSHOT;
        if (copies && slotExists) {
            if (!positions.copyUnfinished()) {
                throw PgFerryException.fatal(
                        "slot " + config.slot() + " already exists on the source, but Kafka holds no position of"
                                + " sync " + config.slot() + " and no record that its initial copy began, so the"
                                + " slot may belong to something else",
                        "choose another slot name, or drop the slot (" + SlotAdmin.dropSql(config.slot())
                                + ") if nothing else uses it");
            }
            // As a PostgreSQL target does, and as Debezium does after an interrupted snapshot: start it over.
            log.warn(
                    "the initial copy of sync {} did not finish: dropping slot {} and copying again (the records"
                            + " that copy sent stay in the topics: consumers see those rows again as read events)",
                    config.slot(),
                    config.slot());
            slots.drop(config.slot());
        }
        if (copies) {
            // Before the stream creates the slot: a slot of this name without a position is then known to be
            // the copy's own.
            positions.copyStarted();
        } else if (!resume) {
            // The records say which tables are the sync's when it resumes (a copy writes them as it begins).
            for (SourceTable t : tables) {
                states.save(t.name().schema(), t.name().name(), t.name().toString(), TableState.INIT, 0, 0, null);
            }
        }
        if (resume) {
            log.info(
                    "resuming sync {} from {} (recorded in Kafka)",
                    config.slot(),
                    stored.get().lsn());
            if (!adding.isEmpty()) {
                KafkaAddedTables.add(config, source, tables, relations, adding, states, facts, applyFrom, engine);
            }
        }
        InitialCopy copy = copies
                ? new ForeignCopy(
                        config.workers(),
                        config.workers(),
                        config.maxRetryTime(),
                        tables,
                        relations,
                        ledger(
                                states,
                                positions,
                                point -> positions.save(new Checkpoint(point, positions.fingerprint()))),
                        () -> Connections.open(config.source()),
                        worker -> KafkaSink.openCopyWorker(target, worker, facts),
                        engine::copyStarted,
                        engine.masks())
                : null;
        boolean[] streaming = {false};
        Runnable caughtUp = () -> {
            if (!streaming[0]) {
                streaming[0] = markStreaming(states, tables);
            }
        };
        // A table created while the sync runs that its patterns match is taken from its first change, recorded as
        // the sync's first, so that a start after it knows the table as its own rather than add it again.
        Predicate<TableName> matched =
                TableSelector.matcher(config.include(), config.exclude(), config.catalogSchema());
        Set<TableName> taken = new HashSet<>();
        Predicate<TableName> takesNew = t -> {
            if (!matched.test(t)) {
                return false;
            }
            if (taken.add(t)) {
                log.info(
                        "table {} was created while sync {} runs: its changes are sent from its first",
                        t,
                        config.slot());
                states.saveStreaming(t.schema(), t.name(), t.toString());
            }
            return true;
        };
        ApplyHandler h = new ApplyHandler(
                () -> KafkaSink.open(target, positions::fingerprint, facts),
                Replay.NONE,
                config.memoryLimitBytes(),
                new OtherTables(tables, adding, takesNew, existing, config.slot(), config.publication()).andThen(stage),
                applyFrom.isEmpty() ? AppliedFrom.NONE : new AppliedFrom(applyFrom),
                new SchemaWatch(tables, config.ddl(), new AddedColumnValues(config.source())),
                config.batchRows(),
                config.batchBytes(),
                config.batchDelay(),
                caughtUp);
        if (resume) {
            KafkaIdentity.resume(config, names, positions, states, stored.get());
        }
        StreamConfig streamConfig =
                KafkaIdentity.stream(config, names, positions).initialCopy(copy).build();
        ChangeStream s = ChangeStream.create(streamConfig, h);
        if (!engine.started(s, h)) {
            return new SyncEngine.Result(false, Lsn.INVALID, 0, 0);
        }
        Optional<Lsn> resumedAt = stored.map(Checkpoint::lsn);
        SourceWatch watch = engine.watchSource(
                new SourceWatch.Destination() {
                    @Override
                    public Optional<Lsn> position() {
                        // What the stream acknowledged: sent and committed, or passed over with nothing for the sync.
                        Lsn acknowledged = s.acknowledgedLsn();
                        return acknowledged.isValid() ? Optional.of(acknowledged) : resumedAt;
                    }

                    @Override
                    public void save(SourceState seen) {
                        states.saveSource(seen);
                    }

                    @Override
                    public void reset() {
                        // The producer reconnects by itself.
                    }
                },
                names);
        try {
            s.run();
            watch.finish();
        } finally {
            watch.close();
            h.close();
        }
        if (config.untilCaughtUp() && !engine.restarting()) {
            caughtUp.run();
        }
        Lsn at = positions.load().map(Checkpoint::lsn).orElse(Lsn.INVALID);
        return new SyncEngine.Result(copy != null, at, h.applied(), 0);
    }

    /**
     * Records every table as streaming, with the counters its copy left (none when this run copied nothing); once per
     * run, when the stream first has nothing waiting. Returns false when it could not, to try again next time.
     */
    private static boolean markStreaming(KafkaTableStates states, List<SourceTable> tables) {
        try {
            for (SourceTable t : tables) {
                states.saveStreaming(
                        t.name().schema(), t.name().name(), t.name().toString());
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("could not record the tables as streaming: {}", e.getMessage());
            return false;
        }
    }

    /**
     * A copy's ledger: states in the sync's table-state topic; {@code complete} records the end (the position in the
     * offsets topic for the initial copy, where their changes apply from for added tables).
     */
    static ForeignCopy.Ledger ledger(KafkaTableStates states, KafkaPositions positions, Consumer<Lsn> complete) {
        return new ForeignCopy.Ledger() {
            private List<CopyRangeId> ranges = List.of();

            @Override
            public void state(SourceTable table, TableState state, long rows, long bytes) {
                states.save(
                        table.name().schema(), table.name().name(), table.name().toString(), state, rows, bytes, null);
            }

            @Override
            public void complete(Lsn consistentPoint) {
                complete.accept(consistentPoint);
                try {
                    positions.removeCopyMarks(ranges);
                } catch (PgFerryException e) {
                    // The copy is recorded; the next copy removes what is left before it starts.
                    log.warn("could not remove the copy's marks: {}", e.getMessage());
                }
            }

            @Override
            public boolean startMarks(List<CopyRangeId> ranges) {
                this.ranges = ranges;
                return positions.forgetCopyMarks();
            }
        };
    }
}
