package io.pgferry.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.BuiltinTypes;
import io.pgferry.core.value.TypeResolver;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns changes into Kafka records in Debezium's form: for a row change, a record keyed by the row's key (null for a
 * table without one) whose value is the envelope {@code before, after, source, transaction, op, ts_ms}; a tombstone
 * after each delete when tombstones are on; a key change as delete, tombstone, create; a TRUNCATE as an {@code op t}
 * event on each table's topic with a null key; a logical message as an {@code op m} event on the message topic.
 *
 * <p>Not thread-safe: one per sink. It keeps the shape of each table seen, by OID, valid for the Relation object it
 * was made from.
 */
final class EventRecords {
    /** Where the events of a change come from: its source transaction, if any. */
    record Origin(long xid, Instant commitTime, TransactionBlock block) {}

    private static final SerializedString BEFORE = new SerializedString("before");
    private static final SerializedString AFTER = new SerializedString("after");
    private static final SerializedString TRANSACTION = new SerializedString("transaction");
    private static final SerializedString OP = new SerializedString("op");
    private static final SerializedString TS_MS = new SerializedString("ts_ms");
    private static final SerializedString TS_US = new SerializedString("ts_us");
    private static final SerializedString TS_NS = new SerializedString("ts_ns");

    private final Topics topics;
    private final RecordWriter writer = new RecordWriter();
    private final SourceBlock source;
    private final boolean schemas;
    private final boolean tombstones;
    private final Clock clock;
    private final Map<Integer, TableShape> shapes = new HashMap<>();
    /** The resolver of the last row seen, for the schema of a TRUNCATE, which carries no row. */
    private TypeResolver lastTypes = BuiltinTypes.builtin();

    EventRecords(Topics topics, SourceBlock source, boolean schemas, boolean tombstones, Clock clock) {
        this.topics = topics;
        this.source = source;
        this.schemas = schemas;
        this.tombstones = tombstones;
        this.clock = clock;
    }

    /** Adds the records of {@code change} to {@code out}, in the order they are to be sent. */
    void add(ChangeEvent change, Origin origin, List<OutRecord> out) {
        if (change instanceof ChangeEvent.Insert c) {
            TableShape shape = shape(c.relation(), c.after());
            out.add(rowEvent(shape, origin, "c", c.after(), null, null, c.after(), c.lsn(), false));
        } else if (change instanceof ChangeEvent.Read c) {
            TableShape shape = shape(c.relation(), c.after());
            out.add(rowEvent(shape, origin, "r", c.after(), null, null, c.after(), c.lsn(), true));
        } else if (change instanceof ChangeEvent.Update c) {
            update(c, origin, out);
        } else if (change instanceof ChangeEvent.Delete c) {
            TableShape shape = shape(c.relation(), c.before());
            delete(shape, origin, c.before(), c.lsn(), out);
        } else if (change instanceof ChangeEvent.Truncate c) {
            for (Relation r : c.relations()) {
                TableShape shape = shape(r, null);
                out.add(new OutRecord(shape.topic(), null, envelope(shape, origin, "t", null, null, c.lsn(), false)));
            }
        } else if (change instanceof ChangeEvent.Message c) {
            out.add(MessageEvent.record(topics.message(), source, schemas, c, origin, now()));
        }
    }

    private void update(ChangeEvent.Update c, Origin origin, List<OutRecord> out) {
        Row before = c.before();
        Row after = c.after();
        TableShape shape = shape(c.relation(), after);
        if (shape.hasKey() && before != null) {
            byte[] oldKey = key(shape, before, null);
            byte[] newKey = key(shape, after, before);
            if (!Arrays.equals(oldKey, newKey)) {
                // As Debezium: the row leaves its old key (delete and tombstone) and arrives at the new one.
                delete(shape, origin, before, c.lsn(), out);
                out.add(rowEvent(shape, origin, "c", after, before, null, after, c.lsn(), false));
                return;
            }
        }
        // An old key alone, unchanged, tells nothing Debezium would put in "before" (it writes null there).
        Row oldRow = before != null && before.isKeyOnly() ? null : before;
        out.add(rowEvent(shape, origin, "u", after, before, oldRow, after, c.lsn(), false));
    }

    private void delete(TableShape shape, Origin origin, Row before, Lsn lsn, List<OutRecord> out) {
        OutRecord delete = rowEvent(shape, origin, "d", before, null, before, null, lsn, false);
        out.add(delete);
        if (tombstones && delete.key() != null) {
            out.add(new OutRecord(shape.topic(), delete.key(), null));
        }
    }

    /**
     * One row event.
     *
     * @param keyRow the row the key is read from; {@code oldKey} the old key, for key columns {@code keyRow} lacks
     */
    private OutRecord rowEvent(
            TableShape shape,
            Origin origin,
            String op,
            Row keyRow,
            Row oldKey,
            Row before,
            Row after,
            Lsn lsn,
            boolean snapshot) {
        byte[] key = shape.hasKey() ? key(shape, keyRow, oldKey) : null;
        return new OutRecord(shape.topic(), key, envelope(shape, origin, op, before, after, lsn, snapshot));
    }

    private byte[] key(TableShape shape, Row row, Row oldKey) {
        return writer.record(schemas, shape.keySchema(), g -> RowJson.key(g, shape, row, oldKey));
    }

    private byte[] envelope(
            TableShape shape, Origin origin, String op, Row before, Row after, Lsn lsn, boolean snapshot) {
        Instant now = now();
        TransactionBlock block = origin.block();
        if (block != null) {
            block.count(shape.dataCollection());
        }
        Instant at = origin.commitTime() != null ? origin.commitTime() : now;
        Relation r = shape.relation();
        return writer.record(schemas, shape.envelopeSchema(), g -> {
            g.writeStartObject();
            g.writeFieldName(BEFORE);
            row(g, shape, before);
            g.writeFieldName(AFTER);
            row(g, shape, after);
            source.write(g, at, snapshot, r.schema(), r.table(), origin.xid(), lsn);
            if (block != null) {
                block.write(g, shape.dataCollection());
            } else {
                g.writeFieldName(TRANSACTION);
                g.writeNull();
            }
            g.writeFieldName(OP);
            g.writeString(op);
            writeTimes(g, now);
            g.writeEndObject();
        });
    }

    static void writeTimes(JsonGenerator g, Instant now) throws IOException {
        g.writeFieldName(TS_MS);
        g.writeNumber(now.toEpochMilli());
        g.writeFieldName(TS_US);
        g.writeNumber(SourceBlock.micros(now));
        g.writeFieldName(TS_NS);
        g.writeNumber(SourceBlock.micros(now) * 1000 + now.getNano() % 1000);
    }

    private static void row(JsonGenerator g, TableShape shape, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
        } else {
            RowJson.row(g, shape, row);
        }
    }

    private Instant now() {
        return clock.instant();
    }

    /** The shape of {@code relation}'s table; {@code row} (null for none) gives the type resolver. */
    private TableShape shape(Relation relation, Row row) {
        TableShape shape = shapes.get(relation.oid());
        if (row == null && shape != null && shape.relation() == relation) {
            return shape;
        }
        TypeResolver types = row != null ? row.types() : lastTypes;
        lastTypes = types;
        if (shape == null || shape.relation() != relation || shape.types() != types) {
            shape = new TableShape(relation, types, topics);
            shapes.put(relation.oid(), shape);
        }
        return shape;
    }
}
