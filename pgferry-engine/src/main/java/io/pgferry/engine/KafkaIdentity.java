package io.pgferry.engine;

import io.pgferry.core.checkpoint.Checkpoint;
import io.pgferry.core.sink.TableState;
import io.pgferry.engine.config.SyncConfig;
import io.pgferry.kafka.KafkaPositions;
import io.pgferry.kafka.KafkaTableStates;
import io.pgferry.postgres.StreamConfig;
import io.pgferry.postgres.SystemIdentifier;
import io.pgferry.postgres.catalog.TableName;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity a Kafka sync's position is stored under, and the tables that left it. Kafka keeps the position in the
 * offsets topic, with no table list beside it to change in the same step, so the identity covers the source, slot
 * and publication but no tables. Before, it covered the tables streamed at each start, so a table dropped at the
 * source, or left out by narrower patterns, made the next start refuse the sync's own position ("written for another
 * source, slot, publication or table list"). Issue 5. A position stored under the earlier identity is stored again
 * under this one, at the same place, when that earlier identity is one the sync's tables give.
 */
final class KafkaIdentity {
    private static final Logger log = LoggerFactory.getLogger(KafkaIdentity.class);

    private KafkaIdentity() {}

    /** The stream of a Kafka sync of {@code names}, its identity without tables. */
    static StreamConfig.Builder stream(SyncConfig config, List<TableName> names, KafkaPositions positions) {
        return ForeignSync.streamBuilder(config, names, List.of(), positions, null, true)
                .identityWithoutTables(true);
    }

    /**
     * Carries a position an earlier release stored over to this identity, and records the tables the sync recorded
     * that are not among {@code names} as {@link TableState#REMOVED}.
     */
    static void resume(
            SyncConfig config,
            List<TableName> names,
            KafkaPositions positions,
            KafkaTableStates states,
            Checkpoint stored) {
        List<KafkaTableStates.Stored> recorded =
                KafkaTableStates.readAll(config.kafkaTarget(), config.slot()).getOrDefault(config.slot(), List.of());
        Set<TableName> kept = new HashSet<>(names);
        for (KafkaTableStates.Stored s : recorded) {
            TableName t = TableName.parse(s.table());
            if (!kept.contains(t) && s.state() != TableState.REMOVED) {
                states.saveRemoved(t.schema(), t.name(), s.table());
                log.warn(
                        "table {} is no longer one of the tables of sync {} (dropped at the source, or no longer"
                                + " matched or published): its changes are no longer sent, and topic {} keeps its"
                                + " records",
                        t,
                        config.slot(),
                        s.topic());
            }
        }
        String system;
        try {
            system = SystemIdentifier.of(config.source());
        } catch (SQLException e) {
            return; // the stream's own start reports what the source refuses
        }
        String now = stream(config, names, positions).build().fingerprint(system);
        if (stored.fingerprint().equals(now)) {
            return;
        }
        List<TableName> all =
                recorded.stream().map(s -> TableName.parse(s.table())).toList();
        for (List<TableName> earlier : List.of(names, all)) {
            String before = ForeignSync.streamBuilder(config, earlier, List.of(), positions, null, true)
                    .build()
                    .fingerprint(system);
            if (!earlier.isEmpty() && stored.fingerprint().equals(before)) {
                positions.restamp(new Checkpoint(stored.lsn(), now));
                log.info(
                        "stored the position of sync {} under this release's identity, which no longer covers its"
                                + " tables",
                        config.slot());
                return;
            }
        }
    }
}
