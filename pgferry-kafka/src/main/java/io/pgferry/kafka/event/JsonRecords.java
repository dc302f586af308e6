package io.pgferry.kafka.event;

import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Kafka destination's records of changes as bytes, for a writer that hands them to Kafka through something else
 * (the Kafka Connect source connector with {@code record.format=json}): the bytes Kafka Connect's JsonConverter would
 * write for Debezium's events, with or without schemas, rendered directly. Not thread-safe: one per writer.
 */
public final class JsonRecords {
    /**
     * One record: its topic, its key (null for none), its value (null for a tombstone) and the value of header
     * {@link UnchangedToast#HEADER} (null for none).
     */
    public record Json(String topic, byte[] key, byte[] value, String unchangedToast) {}

    private final EventRecords events;
    private final List<OutRecord> out = new ArrayList<>();

    /**
     * @param prefix the topic prefix (Debezium's logical server name)
     * @param db the source database's name, for the {@code source} block
     * @param schemas whether each record carries its schema ({@code schemas.enable=true})
     */
    public JsonRecords(String prefix, String db, boolean schemas, boolean tombstones, Clock clock) {
        this(prefix, db, schemas, tombstones, clock, r -> TableFacts.NONE);
    }

    /**
     * @param facts what the source's catalog says of each table: its primary key, or null where the Relation's key
     *     flags hold, and its columns' missing values (see {@link TableFacts})
     */
    public JsonRecords(
            String prefix,
            String db,
            boolean schemas,
            boolean tombstones,
            Clock clock,
            Function<Relation, TableFacts> facts) {
        this.events =
                new EventRecords(new Topics(prefix), new SourceBlock(prefix, db), schemas, tombstones, clock, facts);
    }

    /**
     * Hands the records of {@code change}, of the source transaction {@code xid} committed at {@code commitTime}
     * (0 and null for none), to {@code to} in the order they are to be sent.
     */
    public void add(ChangeEvent change, long xid, Instant commitTime, Consumer<Json> to) {
        events.add(change, new EventRecords.Origin(xid, commitTime, null), out);
        for (OutRecord r : out) {
            to.accept(new Json(
                    r.topic(),
                    r.key(),
                    r.value(),
                    r.unchangedToast() == null ? null : new String(r.unchangedToast(), StandardCharsets.UTF_8)));
        }
        out.clear();
    }
}
