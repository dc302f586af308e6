package io.pgferry.engine;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.Relation;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.engine.copy.ForeignCopy;
import io.pgferry.engine.schema.SourceTable;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaSink;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.postgres.SnapshotSlot;
import io.pgferry.postgres.admin.PublicationChecks;
import io.pgferry.postgres.admin.Publications;
import io.pgferry.postgres.catalog.TableName;
import io.pgferry.postgres.connect.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables added to a Kafka sync that streams already, as {@link AddedTables} adds them to a SQL destination: tables its
 * patterns match that its table-state records do not list as its own (matched by patterns widened since, created at
 * the source while it was stopped, or matched again after they left it). Each is published (when the publication is
 * pgferry's own), its rows are sent as read records from a snapshot of its own while the sync's slot and position stay
 * where they are, and its changes are sent from that snapshot's consistent point on ({@link AppliedFrom}). Before, a
 * publication of the user's that publishes every table had such a table streamed from the sync's position without
 * the rows it held: a consumer never saw them. Issue 7.
 *
 * <p>Crash safety: a table's record holds {@link KafkaTableStates#UNFINISHED} as {@code apply_from} from before its
 * first read record is sent until its copy ended; a start that finds it so copies it again (consumers see its rows
 * again as read records, as after an interrupted initial copy). A sync whose records list no table (one of a release
 * that kept none) takes its tables from its publication, as before, and adds none.
 */
final class KafkaAddedTables {
    private static final Logger log = LoggerFactory.getLogger(KafkaAddedTables.class);

    /**
     * What a resumed Kafka sync takes: the tables it streams (those it had, and those it adds), the ones to copy
     * before it streams, and the position from which each added table's changes apply.
     */
    record Selection(List<TableName> names, List<TableName> adding, Map<TableName, Lsn> applyFrom) {}

    private KafkaAddedTables() {}

    /** The tables a resumed sync takes among {@code matched}, by its records in the table-state topic. */
    static Selection select(
            SyncConfig config,
            Connection source,
            List<TableName> matched,
            List<KafkaTableStates.Stored> recorded,
            PublicationChecks publication)
            throws SQLException {
        Map<String, KafkaTableStates.Stored> part = new HashMap<>();
        Map<String, KafkaTableStates.Stored> removed = new HashMap<>();
        for (KafkaTableStates.Stored s : recorded) {
            (s.state() == TableState.REMOVED ? removed : part).put(s.table(), s);
        }
        boolean ours = Publications.createdFor(source, config.publication(), config.slot());
        List<TableName> names = new ArrayList<>();
        List<TableName> adding = new ArrayList<>();
        Map<TableName, Lsn> applyFrom = new LinkedHashMap<>();
        for (TableName t : matched) {
            KafkaTableStates.Stored s = part.get(t.toString());
            if (s != null) {
                names.add(t);
                if (s.applyFrom() != null && s.applyFrom() == KafkaTableStates.UNFINISHED) {
                    AddedTables.recopying(s.table(), s.state(), config.slot());
                    adding.add(t);
                } else if (AddedTables.leftPublication(config, t, ours, publication)) {
                    adding.add(t);
                } else if (s.applyFrom() != null) {
                    applyFrom.put(t, Lsn.of(s.applyFrom()));
                }
            } else if (AddedTables.addable(config, t, ours, publication)) {
                if (removed.containsKey(t.toString())) {
                    AddedTables.recopying(t.toString(), TableState.REMOVED, config.slot());
                }
                names.add(t);
                adding.add(t);
            }
        }
        if (names.isEmpty()) {
            // None left: the error that names the tables the sync began with.
            ResumedTables.keep(matched, part.keySet(), config.slot(), "its table-state records");
        }
        return new Selection(names, List.copyOf(adding), applyFrom);
    }

    /**
     * Publishes {@code adding} (tables of {@code tables}) and sends their rows as read records from a snapshot of
     * their own; returns once those records are committed in Kafka and the position each table's changes apply from
     * is recorded, which {@code applyFrom} then holds too.
     */
    static void add(
            SyncConfig config,
            Connection source,
            List<SourceTable> tables,
            Map<TableName, Relation> relations,
            List<TableName> adding,
            KafkaTableStates states,
            Function<Relation, TableFacts> facts,
            Map<TableName, Lsn> applyFrom,
            SyncEngine engine)
            throws SQLException {
        List<SourceTable> added =
                tables.stream().filter(t -> adding.contains(t.name())).toList();
        // Recorded before any row is sent: a start after a crash finds them unfinished and copies them again.
        for (SourceTable t : added) {
            states.saveApplyFrom(
                    t.name().schema(),
                    t.name().name(),
                    t.name().toString(),
                    TableState.INIT,
                    KafkaTableStates.UNFINISHED);
        }
        AddedTables.publish(config, source, adding);
        log.warn(
                "adding {} to sync {}: sending their rows as read records from a snapshot of their own, then"
                        + " streaming on",
                adding,
                config.slot());
        Consumer<Lsn> complete = point -> {
            for (SourceTable t : added) {
                states.saveApplyFrom(
                        t.name().schema(), t.name().name(), t.name().toString(), TableState.CATCHING_UP, point.value());
                applyFrom.put(t.name(), point);
            }
        };
        try (KafkaPositions positions = new KafkaPositions(config.kafkaTarget());
                SnapshotSlot snapshot =
                        SnapshotSlot.create(config.source(), AddedTables.snapshotSlotName(config.slot()))) {
            new ForeignCopy(
                            config.workers(),
                            config.workers(),
                            config.maxRetryTime(),
                            added,
                            relations,
                            KafkaSync.ledger(states, positions, complete),
                            () -> Connections.open(config.source()),
                            worker -> KafkaSink.openCopyWorker(config.kafkaTarget(), worker, facts),
                            engine::copyStarted,
                            engine.masks())
                    .copy(snapshot.snapshotName(), snapshot.consistentPoint(), adding);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw AddedTables.copyFailed(config, adding, e);
        }
    }
}
