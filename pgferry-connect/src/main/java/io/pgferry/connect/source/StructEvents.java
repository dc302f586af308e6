package io.pgferry.connect.source;

import io.pgferry.core.Lsn;
import io.pgferry.core.event.ChangeEvent;
import io.pgferry.core.event.Relation;
import io.pgferry.core.event.Row;
import io.pgferry.core.value.TypeResolver;
import io.pgferry.kafka.event.ChangeRecords;
import io.pgferry.kafka.event.ConnectValues;
import io.pgferry.kafka.event.TableFacts;
import io.pgferry.kafka.event.Topics;
import io.pgferry.kafka.event.UnchangedToast;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Encodes the records of changes ({@link ChangeRecords} says which, as for the Kafka destination) as Connect records:
 * {@code Struct}s with the schemas of {@link TableSchemas}, which Connect's JsonConverter turns into the bytes the
 * Kafka destination writes.
 *
 * <p>Not thread-safe: the task's.
 */
final class StructEvents extends ChangeRecords<TableSchemas, Struct, Encoder.Origin> implements Encoder {
    static final Schema MESSAGE_KEY = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.MessageKey")
            .field("prefix", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private static final Schema MESSAGE = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Message")
            .field("prefix", Schema.OPTIONAL_STRING_SCHEMA)
            .field("content", Schema.OPTIONAL_BYTES_SCHEMA)
            .build();

    static final Schema MESSAGE_VALUE = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.MessageValue")
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("source", SourceStruct.SCHEMA)
            .field("message", MESSAGE)
            .build();

    private final Topics topics;
    private final SourceStruct source;
    private final Clock clock;
    /** Where {@link #add} puts the records; set for each call. */
    private Out out;

    private final Function<Relation, TableFacts> facts;

    StructEvents(Topics topics, SourceStruct source, boolean tombstones, Clock clock) {
        this(topics, source, tombstones, clock, r -> TableFacts.NONE);
    }

    /** @param facts what the source's catalog says of each table (see {@link TableFacts}) */
    StructEvents(
            Topics topics, SourceStruct source, boolean tombstones, Clock clock, Function<Relation, TableFacts> facts) {
        super(tombstones);
        this.topics = topics;
        this.source = source;
        this.clock = clock;
        this.facts = facts;
    }

    @Override
    public void add(ChangeEvent change, Origin origin, Out out) {
        this.out = out;
        records(change, origin);
    }

    @Override
    protected TableSchemas newLayout(Relation relation, TypeResolver types) {
        return new TableSchemas(relation, types, topics, facts.apply(relation));
    }

    @Override
    protected void rowEvent(
            TableSchemas s, Origin origin, String op, Struct key, Row before, Row after, Lsn lsn, boolean snapshot) {
        List<String> unchanged = UnchangedToast.columns(after);
        out.add(
                s.topic(),
                s.keySchema(),
                key,
                s.envelope(),
                envelope(s, origin, op, before, after, lsn, snapshot),
                unchanged.isEmpty() ? null : UnchangedToast.value(unchanged));
    }

    @Override
    protected void tombstone(TableSchemas s, Struct key) {
        out.add(s.topic(), s.keySchema(), key, null, null, null);
    }

    @Override
    protected void truncate(TableSchemas s, Origin origin, Lsn lsn) {
        out.add(s.topic(), null, null, s.envelope(), envelope(s, origin, "t", null, null, lsn, false), null);
    }

    private Struct envelope(
            TableSchemas s, Origin origin, String op, Row before, Row after, Lsn lsn, boolean snapshot) {
        Instant now = clock.instant();
        Instant at = origin.commitTime() != null ? origin.commitTime() : now;
        Relation r = s.relation();
        Struct e = new Struct(s.envelope())
                .put("before", before == null ? null : row(s, before))
                .put("after", after == null ? null : row(s, after))
                .put("source", source.struct(at, snapshot, r.schema(), r.table(), origin.xid(), lsn))
                .put("op", op);
        if (origin.metadata() != null) {
            e.put("transaction", origin.metadata().next(s.dataCollection()));
        }
        return times(e, now);
    }

    private static Struct times(Struct s, Instant now) {
        long micros = SourceStruct.micros(now);
        return s.put("ts_ms", now.toEpochMilli())
                .put("ts_us", micros)
                .put("ts_ns", micros * 1000 + now.getNano() % 1000);
    }

    /** Every column by name; in an old row that carries only the key, the others are null. */
    private static Struct row(TableSchemas s, Row row) {
        Struct out = new Struct(s.rowSchema());
        boolean keyOnly = row.isKeyOnly();
        for (int i = 0; i < s.size(); i++) {
            if (!keyOnly || s.isKey(i)) {
                out.put(s.rowField(i), value(s, row, i));
            }
        }
        return out;
    }

    @Override
    protected Struct key(TableSchemas s, Row row, Row old) {
        Struct out = new Struct(s.keySchema());
        for (int i = 0; i < s.size(); i++) {
            if (s.isKey(i)) {
                Row from = row.isUnchangedToast(i) && old != null && !old.isUnchangedToast(i) ? old : row;
                out.put(s.keyField(i), value(s, from, i));
            }
        }
        return out;
    }

    private static Object value(TableSchemas s, Row row, int i) {
        if (row.isUnchangedToast(i)) {
            return ConnectValues.unavailable(s.columnType(i));
        }
        if (row.isNull(i)) {
            return null;
        }
        return ConnectValues.of(s.columnType(i), s.columnOid(i), row.text(i), row.types());
    }

    @Override
    protected void message(ChangeEvent.Message m, Origin origin) {
        Instant now = clock.instant();
        Instant at = origin.commitTime() != null ? origin.commitTime() : now;
        long xid = m.transactional() ? origin.xid() : 0;
        Struct value = new Struct(MESSAGE_VALUE)
                .put("op", "m")
                .put("source", source.struct(at, false, "", "", xid, m.lsn()))
                .put("message", new Struct(MESSAGE).put("prefix", m.prefix()).put("content", m.content()));
        out.add(
                topics.message(),
                MESSAGE_KEY,
                new Struct(MESSAGE_KEY).put("prefix", m.prefix()),
                MESSAGE_VALUE,
                times(value, now),
                null);
    }
}
